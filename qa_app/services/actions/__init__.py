"""The action tracker: every action an audit raises, with one owner, until it is done.

Doors: ``raising.raise_action`` (every feature raises through it), ``lifecycle.start`` / ``complete``
/ ``verify`` / ``reopen`` / ``cancel`` / ``reassign``, ``queries.dashboard`` / ``my_actions``
(scoped reads and exports), ``chase.run_chase`` (the daily chase ladder).
"""
