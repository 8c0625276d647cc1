"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from qa_app.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_app


@pytest.fixture
def empty_database_url(tmp_path):
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path}/migrations.sqlite"
        return
    name = f"qa_migrations_{uuid.uuid4().hex[:8]}"
    server = create_engine(
        make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield str(make_url(TEST_DATABASE_URL).set(database=name))
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    server.dispose()


def test_upgrade_matches_the_models_and_downgrade_removes_everything(empty_database_url):
    app = make_app(DATABASE_URL=empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_existing_api_tokens_expire_ninety_days_after_they_were_created(empty_database_url):
    app = make_app(DATABASE_URL=empty_database_url)
    with app.app_context():
        upgrade(revision="0009_reports")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, name_key, must_change_password, active,"
                    " pending, failed_logins, session_token, notification_mode, created_at,"
                    " updated_at) VALUES (1, 'a@council.test', 'A', 'a', false, true, false, 0,"
                    " 't', 'immediate', '2026-01-01 09:00:00', '2026-01-01 09:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at)"
                    " VALUES (1, 1, 'BI', :h, 'cqa_x', '2026-03-01 08:30:00')"
                ),
                {"h": "0" * 64},
            )
        upgrade(revision="forms_0001_api_token_expiry")
        with db.engine.connect() as conn:
            expires = conn.execute(text("SELECT expires_at FROM api_tokens")).scalar_one()
        assert str(expires).startswith("2026-05-30 08:30:00")
        downgrade(revision="base")
        db.engine.dispose()
