"""Benchmark: the demo's moderation history over 12 months of a 100,000-case council.

Reuses benchmarks.agreement's council (120,000 submitted audits with section grades), removes
its moderations, then times ``seed_moderation_history`` (selection, blind grades, moderated
grades, disputes, escalations and tier 3 reviews, all bulk-inserted).

Run with `bash benchmarks/run moderation_history`.
"""

import random
import tempfile
import time
from datetime import date

from benchmarks.agreement import PER_MONTH, build
from benchmarks.common import bench_app, database_urls
from qa_app.demo.moderation_history import seed_moderation_history
from qa_app.extensions import db
from qa_app.models import Moderation, ModerationSectionGrade


def run(label: str, url: str) -> None:
    app = bench_app(url)
    with app.app_context():
        build(random.Random(2026))
        db.session.execute(ModerationSectionGrade.__table__.delete())
        db.session.execute(Moderation.__table__.delete())
        db.session.commit()
        started = time.perf_counter()
        result = seed_moderation_history(today=date(2026, 12, 1), rng=random.Random(5))
        db.session.commit()
        elapsed = time.perf_counter() - started
        print(
            f"moderation history {label:<10} {PER_MONTH * 12:,} audits: {elapsed:.1f} s for "
            f"{result['moderations']:,} moderations, {result['disputes']:,} disputes, "
            f"{result['tier3_reviews']:,} tier 3 reviews"
        )
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in database_urls(tmp):
            run(label, url)


if __name__ == "__main__":
    main()
