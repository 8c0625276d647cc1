"""Blueprints: one per feature module; blueprint name = module = URL prefix = templates folder."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from qa_app.views import (  # noqa: PLC0415
        access_log,
        api,
        assignments,
        auth,
        cases,
        cycles,
        errors,
        imports,
        main,
        notifications,
        organisation,
        reports,
        tasks,
        toolkits,
        users,
    )

    for module in (main, auth, cases, imports, users, organisation, tasks, access_log, toolkits):
        app.register_blueprint(module.bp)
    for module in (cycles, assignments, notifications, reports, api):
        app.register_blueprint(module.bp)
    errors.register_error_handlers(app)
