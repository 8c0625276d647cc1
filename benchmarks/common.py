"""Helpers shared by the benchmark scripts: databases to run against, timing, query counting."""

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask_migrate import upgrade
from sqlalchemy import event

from qa_app import create_app
from qa_app.extensions import db


def database_urls(tmp_dir: str) -> list[tuple[str, str]]:
    """(label, url) for SQLite (a file) and PostgreSQL (QA_BENCH_DATABASE_URL, set by benchmarks/run)."""
    urls = [("SQLite", f"sqlite:///{tmp_dir}/bench.sqlite")]
    if os.environ.get("QA_BENCH_DATABASE_URL"):
        urls.append(("PostgreSQL", os.environ["QA_BENCH_DATABASE_URL"]))
    return urls


def bench_app(url: str, **overrides):
    """An app on *url* with the schema built by the migrations, as in production."""
    app = create_app("development", DATABASE_URL=url, REDIS_URL="fakeredis://", **overrides)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()
    return app


def summarise(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000, "n": len(ordered)}


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


@contextmanager
def count_queries(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
