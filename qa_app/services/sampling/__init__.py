"""Sampling and allocation: each month's seeded, stratified sample of open cases, and who audits it.

Doors: ``draw.draw_sample`` (the month's sample), ``allocation.allocate_cycle`` (proposed auditors;
``reassign``/``swap`` by hand), ``cycles.publish_cycle`` / ``close_cycle``, ``absences.record``
and ``extension_requests.request_extension`` / ``decide_extension``. Rules: docs/framework.md#sampling.
"""
