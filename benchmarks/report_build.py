"""Benchmark: the monthly report on a demo council with 12 months of history.

Targets (the README's Benchmarks table): county (10,000 cases) draft build with HTML, PDF and XLSX under 10 s; large
council (100,000 cases, about 120,000 audits) under 60 s with peak memory under 1 GB; the head
of service dashboard on the large council, median under 200 ms.

Run with `bash benchmarks/run report_build` (SQLite and a throwaway PostgreSQL), or
`.venv/bin/python -m benchmarks.report_build` for SQLite only. QA_BENCH_REPORT_CASES sets the
council size (default 10000); QA_BENCH_REPORT_DB=PostgreSQL (or SQLite) runs one database only. The build and the dashboard run in a child process so that its
peak memory (maximum resident set size) is the build's, not the seeding's.
"""

import os
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime

from benchmarks.common import bench_app, database_urls, summarise
from qa_app.extensions import db

CASES = int(os.environ.get("QA_BENCH_REPORT_CASES", "10000"))
TODAY = date(2026, 11, 23)
MONTH = "2026-10"


def seed(url: str) -> None:
    from qa_app.demo import seed_demo  # noqa: PLC0415

    app = bench_app(url)
    with app.app_context():
        marks = {}
        started = time.perf_counter()

        def progress(_pct, message):
            marks.setdefault(message, time.perf_counter())

        summary = seed_demo(
            cases=CASES, seed=2026, today=TODAY, now=datetime(2026, 11, 23, 9), progress=progress
        )
        db.session.commit()
        total = time.perf_counter() - started
        history = time.perf_counter() - marks.get("Creating 12 months of audit history", started)
        print(
            f"  seed {CASES:,} cases: {total:.1f} s, of which 12 months of history {history:.1f} s "
            f"({summary.history['audits']:,} audits, {summary.history['actions']:,} actions)"
        )
        db.session.remove()
        db.engine.dispose()


def own_peak_mb() -> float:
    """This process's peak resident memory since it started (VmHWM).

    Not ``getrusage``: Linux carries ``ru_maxrss`` across exec, so a child started after the
    seed would report the seeding parent's peak as its own.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def build_and_dashboard(url: str) -> None:
    """In the child process: one draft build (figures + HTML + PDF + XLSX), then the dashboard."""
    from sqlalchemy import select  # noqa: PLC0415

    from qa_app import create_app  # noqa: PLC0415
    from qa_app.models import Locality, User  # noqa: PLC0415
    from qa_app.services.reports import dashboard as report_dashboard  # noqa: PLC0415
    from qa_app.services.reports import versions as report_versions  # noqa: PLC0415
    from qa_app.services.reports.figures import Filters  # noqa: PLC0415
    from qa_app.services.reports.scope import COUNCIL, ReportScope  # noqa: PLC0415

    app = create_app(
        "development",
        DATABASE_URL=url,
        REDIS_URL=os.environ.get("QA_BENCH_REDIS_URL", "fakeredis://"),
    )
    with app.app_context():
        now = datetime(2026, 11, 2, 6)
        started = time.perf_counter()
        version = report_versions.request_build(MONTH, COUNCIL, by=None, now=now)
        report_versions.build(version, now=now)
        db.session.commit()
        elapsed = time.perf_counter() - started
        sizes = ", ".join(f"{f.kind} {f.size / 1024:,.0f} KB" for f in version.files)
        head = version.data["headline"]
        peak = own_peak_mb()
        print(
            f"  draft build (council, {head['audits_expected']:,} audits in {MONTH}): "
            f"{elapsed:.1f} s  [{sizes}], peak memory after the build {peak:,.0f} MB"
        )
        hos = db.session.scalar(select(User).where(User.email == "hos.north@demo.casefile.test"))
        locality = db.session.get(Locality, hos.effective_locality_id)
        scope = ReportScope("locality", locality.id, locality.name)
        query = report_dashboard.DashboardQuery("2025-11", MONTH, Filters())
        samples = []
        for _ in range(16):
            t = time.perf_counter()
            report_dashboard.dashboard(scope, query, as_of=TODAY)
            samples.append(time.perf_counter() - t)
            db.session.rollback()
        stats = summarise(samples[1:])
        print(
            f"  head of service dashboard figures ({locality.name}, 12 months): first (cold "
            f"cache) {samples[0] * 1000:.0f} ms; then median {stats['median_ms']:.0f} ms, "
            f"p95 {stats['p95_ms']:.0f} ms (n={stats['n']})"
        )
        user_id = hos.get_id()
    # The page as the head of service gets it: figures, charts and HTML.
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
    url = f"/reports/dashboard?from=2025-11&to={MONTH}"
    assert client.get(url).status_code == 200
    pages = []
    for _ in range(15):
        t = time.perf_counter()
        size = len(client.get(url).data)
        pages.append(time.perf_counter() - t)
    stats = summarise(pages)
    print(
        f"  head of service dashboard page ({size / 1024:,.0f} KB of HTML): median "
        f"{stats['median_ms']:.0f} ms, p95 {stats['p95_ms']:.0f} ms (n={stats['n']}) "
        f"({'meets' if stats['median_ms'] < 200 else 'MISSES'} < 200 ms)"
    )
    print(f"  peak memory of the build and dashboard process: {own_peak_mb():,.0f} MB")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "child":
        build_and_dashboard(sys.argv[2])
        return
    if os.environ.get("QA_BENCH_REPORT_URL"):  # an already seeded database: build only
        url = os.environ["QA_BENCH_REPORT_URL"]
        subprocess.run([sys.executable, "-m", "benchmarks.report_build", "child", url], check=True)
        return
    with tempfile.TemporaryDirectory() as tmp:
        only = os.environ.get("QA_BENCH_REPORT_DB")  # "SQLite" or "PostgreSQL": just that one
        for label, url in database_urls(tmp):
            if only and label != only:
                continue
            print(f"report build {label}, {CASES:,} cases")
            seed(url)
            subprocess.run(
                [sys.executable, "-m", "benchmarks.report_build", "child", url], check=True
            )


if __name__ == "__main__":
    main()
