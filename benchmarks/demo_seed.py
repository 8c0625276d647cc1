"""Benchmark: `qa demo seed --cases 100000` on SQLite and PostgreSQL (target: under 60 s each).

Two loads per database: the council and its caseload (`--history-months 0`, issue 2's target),
then the full demo with 12 months of audit history, moderation and actions (no target; printed
so the cost of the history is visible).

Run with `bash benchmarks/run demo_seed` (starts a throwaway PostgreSQL), or
`.venv/bin/python -m benchmarks.demo_seed` for SQLite only.
"""

import sys
import tempfile
import time
from datetime import date, datetime

from benchmarks.common import bench_app, database_urls
from qa_app.extensions import db
from qa_app.services.demo import seed_demo

CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


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
                    verdict = (
                        f"{'meets' if elapsed < 60 else 'MISSES'} the 60 s target"
                        if not history_months
                        else f"with {summary.history.get('audits', 0):,} past audits; no target"
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
