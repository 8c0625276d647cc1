"""Importing case data: applying a snapshot of open cases, uploads with a preview, and staff files.

Doors: ``apply.run_import`` (``plan.plan_import``, then apply, all or nothing), ``uploads.stage_upload`` /
``preview_upload`` / ``confirm_upload`` (the web journey), ``pending.confirm_team`` / ``merge_team``
(and people), ``staff.import_staff``, ``undo.undo_import`` (the latest import, as if it never ran).
An import closing many cases must be confirmed: ``closures.require_confirmation``. The file
readers are in ``qa_app.importers``.
"""
