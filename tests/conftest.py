"""Shared fixtures: a fresh database per test (SQLite in memory, or PostgreSQL when
QA_TEST_DATABASE_URL is set), fakeredis by default, and signed-in clients."""

import contextvars
import os
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from qa_app import create_app
from qa_app.clock import UK
from qa_app.extensions import db
from tests.support import factories

ON_CI = os.environ.get("CI") == "true"
# pytest-xdist runs the suite in several processes; each gets its own PostgreSQL database and
# Redis database so that emptying one test's tables never touches another's.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
TEST_DATABASE_URL = os.environ.get("QA_TEST_DATABASE_URL")
if TEST_DATABASE_URL and XDIST_WORKER:
    _url = make_url(TEST_DATABASE_URL)
    TEST_DATABASE_URL = _url.set(database=f"{_url.database}_{XDIST_WORKER}").render_as_string(
        hide_password=False
    )


def _create_worker_database() -> None:
    url = make_url(TEST_DATABASE_URL)
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()


# scripts/test runs one pass with the whole clock moved ahead, so a test that silently depends on
# today's date fails the day it is written rather than the day the date passes.
CLOCK_SHIFT_DAYS = int(os.environ.get("QA_TEST_CLOCK_SHIFT_DAYS") or 0)
_session_travel = None


def pytest_configure(config):
    global _session_travel
    if TEST_DATABASE_URL and XDIST_WORKER:
        _create_worker_database()
    if CLOCK_SHIFT_DAYS:
        _session_travel = time_machine.travel(
            datetime.now(UTC) + timedelta(days=CLOCK_SHIFT_DAYS), tick=True
        )
        _session_travel.start()


def pytest_unconfigure(config):
    if _session_travel is not None:
        _session_travel.stop()


def pytest_report_header(config):
    engine = f"PostgreSQL {TEST_DATABASE_URL}" if TEST_DATABASE_URL else "SQLite (in memory)"
    shifted = f"; clock moved {CLOCK_SHIFT_DAYS} days ahead" if CLOCK_SHIFT_DAYS else ""
    return f"database: {engine}{shifted}"


@pytest.fixture(autouse=True)
def _fixed_clock(request):
    """``@pytest.mark.clock("2026-11-25T10:00")`` fixes the clock (UK local time) for the test;
    it then ticks on from there, so timeouts and durations still behave."""
    marker = request.node.get_closest_marker("clock")
    if marker is None:
        yield
        return
    when = datetime.fromisoformat(marker.args[0])
    if when.tzinfo is None:
        when = when.replace(tzinfo=UK)
    with time_machine.travel(when, tick=True):
        yield


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
