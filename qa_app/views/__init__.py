"""Blueprints: one per feature module; blueprint name = module = URL prefix = templates folder."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from qa_app.views import (  # noqa: PLC0415
        access_log,
        assignments,
        auth,
        cases,
        cycles,
        errors,
        main,
        notifications,
        organisation,
        tasks,
        users,
    )

    for module in (main, auth, cases, users, organisation, tasks, access_log):
        app.register_blueprint(module.bp)
    for module in (cycles, assignments, notifications):
        app.register_blueprint(module.bp)
    errors.register_error_handlers(app)
