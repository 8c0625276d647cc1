"""Practice performance: the thresholds the board agrees for each indicator and caseloads by
social work experience (docs/thresholds.md).

Doors: ``thresholds.all_thresholds`` / ``thresholds_for`` / ``rate`` (the bands in force for a
month, the England figure and comparators), ``change_bands``, ``add_comparator`` /
``update_comparator`` / ``remove_comparator``, ``caseloads.caseload_by_experience``.
"""
