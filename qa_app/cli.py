"""The ``qa`` command: Flask's and Flask-Migrate's commands plus the service's own.

``qa db upgrade``, ``qa run``, ``qa worker``, ``qa users …``, ``qa demo …``, ``qa import …``,
``qa toolkits …``, ``qa kpi …``. Each command is a
thin door into qa_app.services and commits at its end.
"""

import os
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup


def register_cli(app: Flask) -> None:
    from qa_app.commands import (  # noqa: PLC0415
        actions,
        demo,
        imports,
        kpi,
        moderation,
        report,
        sample,
        toolkits,
        users,
        worker,
    )

    app.cli.add_command(users.users)
    app.cli.add_command(actions.actions)
    app.cli.add_command(demo.demo)
    app.cli.add_command(sample.sample)
    app.cli.add_command(worker.worker)
    app.cli.add_command(worker.schedule)
    app.cli.add_command(toolkits.toolkits)
    app.cli.add_command(imports.import_cases)
    app.cli.add_command(moderation.moderation)
    app.cli.add_command(report.report)
    app.cli.add_command(kpi.kpi)


def _create_app() -> Flask:
    from qa_app import ConfigError, create_app  # noqa: PLC0415

    try:
        return create_app()
    except ConfigError as exc:
        # A setting left unset is not a bug in the service: say what to set, in one line.
        click.echo(f"qa: {exc}. {_config_hint()}", err=True)
        sys.exit(2)


def _config_hint() -> str:
    if not os.environ.get("QA_CONFIG"):
        return (
            "QA_CONFIG is not set, so the production settings apply: for a local copy run "
            "`export QA_CONFIG=development`; in production set QA_SECRET_KEY and QA_DATABASE_URL."
        )
    return f"Set it in the environment (QA_CONFIG is {os.environ['QA_CONFIG']!r})."


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def main() -> None:
    """Casefile QA: case file audit for children's social care."""


if __name__ == "__main__":
    main()
