"""Benchmark: a head of service's home page with a 100,000-case council.

Target: median under 100 ms over 50 requests; prints median, p95 and the page's SQL query
count, which must be the same for a small council (it must not grow with teams or cases).
Run with `bash benchmarks/run home_page`.
"""

import sys
import tempfile
from datetime import date, datetime

from sqlalchemy import select

from benchmarks.common import bench_app, count_queries, database_urls, summarise, timed
from qa_app.demo import seed_demo
from qa_app.extensions import db
from qa_app.models import User

REQUESTS = 50


def measure(app, cases: int) -> tuple[dict, int]:
    with app.app_context():
        seed_demo(cases=cases, seed=2026, today=date.today(), now=datetime.now())
        db.session.commit()
        hos = db.session.scalar(select(User).where(User.email == "hos.north@demo.casefile.test"))
        user_id = hos.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
    assert client.get("/").status_code == 200  # warm up: templates compiled, caches filled
    with app.app_context(), count_queries(db.engine) as statements:
        client.get("/")
        queries = len(statements)
    samples = [timed(lambda: client.get("/")) for _ in range(REQUESTS)]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return summarise(samples), queries


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in database_urls(tmp):
            _, small_queries = measure(bench_app(url), 500)
            stats, queries = measure(bench_app(url), cases)
            print(
                f"head of service home {label:<10} {cases:,} cases: median {stats['median_ms']:.1f} ms, "
                f"p95 {stats['p95_ms']:.1f} ms over {stats['n']} requests; {queries} SQL queries "
                f"(500-case council: {small_queries}) "
                f"({'meets' if stats['median_ms'] < 100 and queries == small_queries else 'MISSES'} the target)"
            )


if __name__ == "__main__":
    main()
