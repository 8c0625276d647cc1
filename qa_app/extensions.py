"""Flask extensions, created unbound and bound to an app in ``create_app``."""

import sqlite3

import redis
from flask import Flask, current_app
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names: Alembic can then alter them on PostgreSQL and in SQLite batch mode.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """Enforce foreign keys and let the web app and a worker share one SQLite file."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


class RedisStore:
    """One Redis connection per app, made on first use from ``REDIS_URL``.

    ``fakeredis://`` gives an in-process fake (tests only). Connection errors surface at once
    rather than after redis-py's default retries, so a page can say "delayed" without waiting.
    """

    def init_app(self, app: Flask) -> None:
        app.extensions["qa_redis"] = None

    @property
    def connection(self) -> redis.Redis:
        app = current_app._get_current_object()
        conn = app.extensions.get("qa_redis")
        if conn is None:
            conn = self._connect(app)
            app.extensions["qa_redis"] = conn
        return conn

    @staticmethod
    def _connect(app: Flask) -> redis.Redis:
        url = app.config["REDIS_URL"]
        if url.startswith("fakeredis://"):
            import fakeredis  # noqa: PLC0415 - a test-only dependency

            return fakeredis.FakeRedis()
        timeout = app.config["REDIS_SOCKET_TIMEOUT"]
        return redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=max(timeout, 5.0),
            retry=Retry(NoBackoff(), 0),
            health_check_interval=30,
        )


redis_store = RedisStore()
