"""Practice performance: timeliness and outcome indicators computed from the events the imports
keep (docs/indicators.md).

Doors: ``figures.kpi_show`` (every indicator for a month and scope, the ``qa kpi show --json``
shape), ``figures.month_figures`` / ``figure`` (the same as objects), ``figures.series`` (one
indicator's monthly series, for XmR charts), ``figures.breakdown`` (by locality and team),
``figures.children`` (the records behind a figure; callers log the access). Definitions live in
``indicators`` (``INDICATORS``, ``BY_KEY``, ``GROUPS``); ``calendar_table.ensure_calendar`` fills
the working-day table the SQL joins to.
"""
