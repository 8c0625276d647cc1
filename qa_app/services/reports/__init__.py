"""The monthly audit report and the live dashboards built from the same figures.

Doors: ``versions.request_build`` / ``build`` / ``publish`` (the report workflow), ``tables.report_data``
(every figure as plain data), ``files.build_files`` (HTML, PDF, XLSX), ``dashboard.dashboard``
(grade trends), ``home.home_panels`` (each role's home page), ``export.export_month`` (open data).
"""
