"""Shared fixtures: a fresh database per test (SQLite in memory, or PostgreSQL when
QA_TEST_DATABASE_URL is set), fakeredis by default, and signed-in clients."""

import contextvars
import os

import pytest
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import text

from qa_app import create_app
from qa_app.extensions import db
from tests import factories

TEST_DATABASE_URL = os.environ.get("QA_TEST_DATABASE_URL")
ON_CI = os.environ.get("CI") == "true"


def pytest_report_header(config):
    engine = f"PostgreSQL {TEST_DATABASE_URL}" if TEST_DATABASE_URL else "SQLite (in memory)"
    return f"database: {engine}"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres_only" in item.keywords and not TEST_DATABASE_URL:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only (set QA_TEST_DATABASE_URL)"))


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh app context, as in production.

    Flask reuses an app context that is already pushed (by the test), which would share ``g``
    and the database session between the test and every request and hide real bugs.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


class _SharedBytecodeCache(BytecodeCache):
    """Compiled templates shared by every test's app: compiling them anew per app is slow."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = _SharedBytecodeCache()


def make_app(**overrides):
    if TEST_DATABASE_URL:
        overrides.setdefault("DATABASE_URL", TEST_DATABASE_URL)
    app = create_app("testing", **overrides)
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    return app


@pytest.fixture(scope="session")
def _postgres_schema():
    """On PostgreSQL the schema is created once; each test then empties every table."""
    if not TEST_DATABASE_URL:
        yield
        return
    app = make_app()
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def empty_all_tables() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def app(request, _postgres_schema):
    """A fresh app and empty database; ``@pytest.mark.app_config(KEY=value)`` overrides config."""
    marker = request.node.get_closest_marker("app_config")
    app = make_app(**(marker.kwargs if marker else {}))
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL:
            empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    """Sign a test client in without the form (the form has its own tests)."""

    def __init__(self, client):
        self.client = client

    def login(self, user):
        with self.client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    def logout(self):
        with self.client.session_transaction() as session:
            session.clear()


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def make_user(app_ctx):
    return factories.make_user
