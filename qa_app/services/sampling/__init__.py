"""Sampling and allocation: each month's seeded, stratified sample of open cases, and who audits it.

Doors: ``cycles.draw_and_propose`` (the scheduled start of a month), ``draw.draw_sample`` (the
month's sample; its stored frame: ``frame.encode_frame``), ``allocation.allocate_cycle`` (proposed auditors),
``adjust.add_child`` / ``reassign`` / ``swap`` (by hand, telling the auditors once published),
``replace.replace_closed`` (cases closed since the draw), ``cycles.publish_cycle`` /
``close_cycle``, ``absences.record`` and
``extension_requests.request_extension`` / ``decide_extension``. Rules: docs/framework.md#sampling.
"""
