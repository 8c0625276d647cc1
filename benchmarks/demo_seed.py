"""Benchmark: `qa demo seed --cases 100000` on SQLite and PostgreSQL (target: under 60 s each).

Two loads per database: the council and its caseload alone (`--history-months 0`), then the
full demo as `qa demo seed --cases 100000` makes it, with 12 months of audit history, moderation
and actions. The target is for the full demo; the first line shows what the history costs.

Run with `bash benchmarks/run demo_seed` (starts a throwaway PostgreSQL), or
`.venv/bin/python -m benchmarks.demo_seed` for SQLite only.
"""

import sys
import tempfile
import time
from datetime import date, datetime

from sqlalchemy import func, select

from benchmarks.common import bench_app, database_urls
from qa_app.demo import HISTORY_MODELS, seed_demo
from qa_app.extensions import db

CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def _history_rows() -> int:
    """Rows in the tables the history fills (for rows/s)."""
    return sum(
        db.session.scalar(select(func.count()).select_from(model)) for model in HISTORY_MODELS
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in database_urls(tmp):
            for history_months in (0, 12):
                app = bench_app(url)
                with app.app_context():
                    started = time.perf_counter()
                    summary = seed_demo(
                        cases=CASES,
                        seed=2026,
                        today=date(2026, 11, 23),
                        now=datetime(2026, 11, 23, 9),
                        history_months=history_months,
                    )
                    db.session.commit()
                    elapsed = time.perf_counter() - started
                    rows = summary.children + summary.open_cases + summary.staff
                    rows += _history_rows() if history_months else 0
                    verdict = (
                        "council and caseload only"
                        if not history_months
                        else f"{summary.history.get('audits', 0):,} past audits; "
                        f"{'meets' if elapsed < 60 else 'MISSES'} the 60 s target"
                    )
                    print(
                        f"demo seed {label:<10} history {history_months:>2} months  "
                        f"{CASES:>7,} cases  {summary.staff:>5,} staff  {elapsed:6.1f} s  "
                        f"{rows / elapsed:>9,.0f} rows/s  "
                        f"{summary.open_cases / elapsed:>7,.0f} cases/s  ({verdict})",
                        flush=True,
                    )
                    db.session.remove()
                    db.engine.dispose()


if __name__ == "__main__":
    main()
