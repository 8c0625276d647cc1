"""Practice performance: timeliness and outcome indicators computed from the events the imports
keep, rated against the bands the board agrees (docs/indicators.md, docs/thresholds.md).

Doors: ``figures.kpi_show`` (every indicator for a month and scope, the ``qa kpi show --json``
shape), ``figures.month_figures`` / ``figure`` (the same as objects), ``figures.series_figures``
/ ``series`` (monthly series, a period indicator's months in one query grouped by month, for the
board and the XmR charts; ``coverage.window`` says which months the imports hold), ``figures.breakdown`` (by locality and team),
``figures.children`` (the records behind a figure; callers log the access);
``thresholds.all_thresholds`` / ``thresholds_for`` / ``rate`` (the bands in force for a month,
the England figure and comparators), ``thresholds.change_bands``, ``add_comparator`` /
``update_comparator`` / ``remove_comparator``; ``caseloads.caseload_by_experience``. Definitions
live in ``indicators.INDICATORS`` (with ``BY_KEY`` and ``GROUPS``); ``calendar_table.ensure_calendar``
fills the working-day table the SQL joins to. The dashboard: ``board.board`` (the Improvement
Board table), ``board.kpi_show`` (the CLI's JSON with band and England), ``access.resolve`` (who
sees which scope), ``pages.dashboard`` / ``pages.chart`` / ``pages.children_page`` (what the
pages show), ``triangulation.recording_accuracy``.
"""
