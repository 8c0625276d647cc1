"""Casefile QA: the application factory."""

import os
from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
PROJECT_DIR = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says which setting to fix."""


def create_app(config: str | type | None = None, **overrides) -> Flask:
    """Create and configure the Casefile QA application.

    :param config: a config class, a name from ``config.CONFIGS`` ("development", "testing",
        "production") or a dotted path; default ``QA_CONFIG``, else "production".
    """
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        instance_path=os.environ.get("QA_INSTANCE_PATH") or str(PROJECT_DIR / "instance"),
    )
    app.config.from_object(_config_object(config or os.environ.get("QA_CONFIG") or "production"))
    app.config.from_prefixed_env("QA")
    app.config.update(overrides)
    _finish_config(app)
    register_proxy(app)
    register_extensions(app)
    register_templates(app)
    register_blueprints(app)
    register_commands(app)
    return app


def _config_object(config: str | type) -> str | type:
    if not isinstance(config, str):
        return config
    from config import CONFIGS  # noqa: PLC0415 - config.py sits beside the package

    return CONFIGS.get(config, config)


def _finish_config(app: Flask) -> None:
    """Derive settings from the environment-level ones and refuse unsafe combinations."""
    if app.config.get("REQUIRE_SECRETS"):
        if not app.config.get("SECRET_KEY"):
            raise ConfigError("QA_SECRET_KEY must be set in production")
        if not app.config.get("DATABASE_URL"):
            raise ConfigError("QA_DATABASE_URL must be set in production")
    if not app.config.get("SECRET_KEY"):
        raise ConfigError("QA_SECRET_KEY is not set")
    url = app.config.get("DATABASE_URL")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = f"sqlite:///{Path(app.instance_path) / 'casefile.sqlite'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* only from as many proxies as configured (none by default)."""
    x_for, x_proto = int(app.config["PROXY_FIX_X_FOR"]), int(app.config["PROXY_FIX_X_PROTO"])
    if x_for or x_proto:
        from werkzeug.middleware.proxy_fix import ProxyFix  # noqa: PLC0415

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)


def register_extensions(app: Flask) -> None:
    from qa_app.extensions import csrf, db, login_manager, migrate, redis_store  # noqa: PLC0415

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    redis_store.init_app(app)

    from qa_app.security import register_security  # noqa: PLC0415

    register_security(app)


def register_templates(app: Flask) -> None:
    from qa_app.templating import register_template_helpers  # noqa: PLC0415

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(TEMPLATES_DIR)),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    register_template_helpers(app)


def register_blueprints(app: Flask) -> None:
    from qa_app.views import register_blueprints as register  # noqa: PLC0415

    register(app)


def register_commands(app: Flask) -> None:
    from qa_app.cli import register_cli  # noqa: PLC0415

    register_cli(app)
