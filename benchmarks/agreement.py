"""Benchmark: agreement statistics over 12 months of a 100,000-case council (target < 3 s).

Builds, with bulk inserts, 12 monthly cycles of 10,000 submitted audits each (120,000 audits
with 6 section grades each), of which about 10% (≈ 12,000) are moderated with blind section
and overall grades, then times ``agreement.agreement`` over the 12 months (every breakdown:
month, auditor, section, locality, auditor by month) and ``qa moderation stats`` for one month.
The first call's time includes importing statsmodels (about 1-3 s, once per process); the
figures after it are warm.

Run with `bash benchmarks/run agreement`, or `.venv/bin/python -m benchmarks.agreement`
(SQLite only). `QA_BENCH_AUDITS_PER_MONTH` sets a smaller size.
"""

import os
import random
import tempfile
import time
from datetime import date, datetime

from benchmarks.common import bench_app, database_urls
from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.models import (
    Assignment,
    Audit,
    AuditCycle,
    AuditSectionGrade,
    Case,
    Child,
    Locality,
    Moderation,
    ModerationSectionGrade,
    SampleItem,
    Team,
    User,
    UserRole,
)
from qa_app.services.moderation import agreement
from qa_app.services.moderation import export as moderation_export
from qa_app.services.toolkits.store import load_toolkit_files, shipped_toolkit_files

NOW = datetime(2026, 12, 1, 7)
MONTHS = [f"{2025 + (m > 12):04d}-{(m - 1) % 12 + 1:02d}" for m in range(12, 24)]  # 2025-12..
SECTIONS = ["chronology", "assessment", "planning", "visits", "voice", "oversight"]
PER_MONTH = int(os.environ.get("QA_BENCH_AUDITS_PER_MONTH", "10000"))
TEAMS, AUDITORS, MODERATORS, LOCALITIES = 200, 600, 60, 4


def build(rng: random.Random) -> int:
    (loaded,) = load_toolkit_files(shipped_toolkit_files()[:1], by=None, now=NOW, via="cli")
    version_id = loaded.version.id
    insert_rows(Locality.__table__, [{"id": i, "name": f"L{i}"} for i in range(1, 5)])
    insert_rows(
        Team.__table__,
        [
            {"id": t, "name": f"T{t}", "name_key": f"t{t}", "locality_id": 1 + t % LOCALITIES,
             "created_at": NOW, "updated_at": NOW}
            for t in range(1, TEAMS + 1)
        ],
    )  # fmt: skip
    people = AUDITORS + MODERATORS
    insert_rows(
        User.__table__,
        [
            {"id": u, "name": f"P{u}", "name_key": f"p{u}", "email": f"p{u}@bench.test",
             "team_id": 1 + u % TEAMS if u <= AUDITORS else None, "created_at": NOW,
             "updated_at": NOW}
            for u in range(1, people + 1)
        ],
    )  # fmt: skip
    insert_rows(
        UserRole.__table__,
        [
            {"user_id": u, "role": "team_manager" if u <= AUDITORS else "independent_auditor"}
            for u in range(1, people + 1)
        ],
    )
    total = PER_MONTH * len(MONTHS)
    insert_rows(
        Child.__table__,
        [
            {"id": i, "la_child_id": f"{i:08d}", "created_at": NOW, "updated_at": NOW}
            for i in range(1, total + 1)
        ],
    )
    insert_rows(
        Case.__table__,
        [
            {"id": i, "child_id": i, "cohort": "cin", "team_id": 1 + i % TEAMS,
             "created_at": NOW, "updated_at": NOW}
            for i in range(1, total + 1)
        ],
    )  # fmt: skip
    insert_rows(
        AuditCycle.__table__,
        [
            {"id": c + 1, "month": month, "reference_date": date(int(month[:4]), int(month[5:]), 1),
             "seed": 1, "status": "closed", "drawn_at": NOW}
            for c, month in enumerate(MONTHS)
        ],
    )  # fmt: skip
    items, assignments, audits, section_rows = [], [], [], []
    moderations, mod_sections = [], []
    bias = {u: rng.choice([-0.6, -0.3, 0, 0, 0, 0.2]) for u in range(1, AUDITORS + 1)}
    mid = 0
    for i in range(1, total + 1):
        cycle = 1 + (i - 1) // PER_MONTH
        month = MONTHS[cycle - 1]
        auditor = rng.randint(1, AUDITORS)
        true = rng.choices([1, 2, 3, 4], [2, 30, 62, 6])[0]
        grade = max(1, min(4, round(true + bias[auditor] + rng.gauss(0, 0.4))))
        submitted = datetime(int(month[:4]), int(month[5:]), 20, 10)
        items.append({"id": i, "cycle_id": cycle, "case_id": i, "team_id": 1 + i % TEAMS,
                      "cohort": "cin", "selection": "random", "added_at": NOW})  # fmt: skip
        assignments.append({"id": i, "sample_item_id": i, "auditor_id": auditor, "tier": 2,
                            "due_on": submitted.date(), "status": "completed",
                            "assigned_at": NOW})  # fmt: skip
        audits.append({"id": i, "assignment_id": i, "case_id": i, "auditor_id": auditor,
                       "toolkit_version_id": version_id, "status": "submitted", "answers": {},
                       "overall_grade": grade, "submitted_at": submitted})  # fmt: skip
        grades = {key: max(1, min(4, grade + rng.choice([-1, 0, 0, 0, 1]))) for key in SECTIONS}
        section_rows += [
            {"audit_id": i, "section_key": key, "grade": g} for key, g in grades.items()
        ]
        if rng.random() < 0.10:  # the moderated share; which ones does not matter here
            mid += 1
            blind = max(1, min(4, round(true + rng.gauss(0, 0.35))))
            moderations.append({"id": mid, "audit_id": i, "moderator_id": AUDITORS + 1 + mid % MODERATORS,
                                "reason": "random", "status": "completed", "due_on": submitted.date(),
                                "selected_at": submitted, "blind_overall_grade": blind,
                                "blind_at": submitted, "final_overall_grade": blind,
                                "completed_at": submitted})  # fmt: skip
            mod_sections += [
                {"moderation_id": mid, "section_key": key,
                 "blind_grade": max(1, min(4, round(g - bias[auditor] + rng.gauss(0, 0.5)))),
                 "final_grade": None}
                for key, g in grades.items()
            ]  # fmt: skip
    for table, rows in [
        (SampleItem.__table__, items),
        (Assignment.__table__, assignments),
        (Audit.__table__, audits),
        (AuditSectionGrade.__table__, section_rows),
        (Moderation.__table__, moderations),
        (ModerationSectionGrade.__table__, mod_sections),
    ]:
        for start in range(0, len(rows), 50_000):
            insert_rows(table, rows[start : start + 50_000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return len(moderations)


def run(label: str, url: str) -> None:
    app = bench_app(url)
    with app.app_context():
        started = time.perf_counter()
        moderated = build(random.Random(2026))
        built = time.perf_counter() - started
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            result = agreement.agreement(MONTHS[0], MONTHS[-1])
            timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        stats = moderation_export.stats(MONTHS[-1])
        one_month = time.perf_counter() - started
        print(
            f"agreement {label:<10} {PER_MONTH * 12:,} audits, {moderated:,} moderated "
            f"(built in {built:.1f} s): 12 months, all breakdowns: first {timings[0]:.2f} s "
            f"(includes importing statsmodels), then {min(timings[1:]):.2f} s; "
            f"one month's stats {one_month:.2f} s; pairs {result['overall']['pairs']:,}, "
            f"kappa {result['overall']['kappa_quadratic']:.3f}, "
            f"{len(result['by_auditor'])} auditors; month pairs {stats['pairs']:,} "
            f"({'meets' if min(timings[1:]) < 3 else 'MISSES'} the 3 s target)"
        )
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in database_urls(tmp):
            run(label, url)


if __name__ == "__main__":
    main()
