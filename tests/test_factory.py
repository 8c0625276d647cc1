"""The application factory and its configuration."""

import pytest

from qa_app import ConfigError, create_app


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("QA_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="QA_SECRET_KEY"):
        create_app("production", DATABASE_URL="sqlite://")


def test_production_refuses_to_start_without_a_database_url():
    with pytest.raises(ConfigError, match="QA_DATABASE_URL"):
        create_app("production", SECRET_KEY="x" * 32)


def test_production_sets_a_secure_session_cookie():
    app = create_app("production", SECRET_KEY="x" * 32, DATABASE_URL="sqlite://")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_environment_variables_override_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    monkeypatch.setenv("QA_REDIS_URL", "redis://127.0.0.1:6399/3")
    monkeypatch.setenv("QA_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("QA_CONFIG", "production")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.sqlite"
    assert app.config["REDIS_URL"] == "redis://127.0.0.1:6399/3"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["TESTING"] is False


def test_default_database_is_a_sqlite_file_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("QA_DATABASE_URL", raising=False)
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/casefile.sqlite"


def test_plain_postgresql_urls_use_the_psycopg_driver():
    app = create_app("testing", DATABASE_URL="postgresql://u@localhost/db")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@localhost/db"
