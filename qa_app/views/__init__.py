"""Blueprints: one per feature module; blueprint name = module = URL prefix = templates folder."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from qa_app.views import (  # noqa: PLC0415
        absences,
        access_log,
        actions,
        agreement,
        api,
        assignments,
        audits,
        auth,
        cases,
        cycles,
        errors,
        imports,
        main,
        moderation,
        notifications,
        organisation,
        performance,
        reports,
        tasks,
        thresholds,
        tier3,
        toolkits,
        users,
    )

    for module in (main, auth, cases, imports, users, organisation, tasks, access_log, toolkits):
        app.register_blueprint(module.bp)
    for module in (cycles, assignments, notifications, absences, audits, actions):
        app.register_blueprint(module.bp)
    for module in (moderation, tier3, agreement, reports, api, thresholds, performance):
        app.register_blueprint(module.bp)
    errors.register_error_handlers(app)
