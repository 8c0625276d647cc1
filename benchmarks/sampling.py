"""Benchmark: draw + allocate a month for a large council, on SQLite and PostgreSQL.

Councils: 100,000 open cases with 1,500 auditors (target < 10 s) and county scale, 10,000 cases
with 200 auditors (target < 2 s). Prints the time, its ratio to a floor measured in the same
run (reading the frame's case ids and bulk-inserting as many sample rows), and the allocation's
quality. Capacities are set (as a council would, per person) so the month fits with about 15%
to spare, which makes balancing matter.

Run with `bash benchmarks/run sampling`, or `.venv/bin/python -m benchmarks.sampling` (SQLite).
"""

import random
import tempfile
import time
from datetime import date, datetime

from sqlalchemy import select

from benchmarks.common import bench_app, database_urls
from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.models import AuditCycle, Case, Child, Locality, SampleItem, Team, User, UserRole
from qa_app.services.sampling import allocation
from qa_app.services.sampling import draw as sampling
from qa_app.services.sampling.allocation_solver import quality

NOW = datetime(2026, 11, 2, 7)
TODAY = date(2026, 11, 2)
COHORTS = {"assessment": 14, "cin": 33, "cp": 12, "cla": 22, "care_leaver": 15, "short_breaks": 4}
# (name, cases, auditors by role, capacity by role)
COUNCILS = [
    (
        "county",
        10_000,
        {"team_manager": 100, "iro": 40, "advanced_practitioner": 40, "senior_manager": 15,
         "head_of_service": 4, "dcs": 1},
        {"team_manager": 4, "iro": 5, "advanced_practitioner": 10, "senior_manager": 4,
         "head_of_service": 1, "dcs": 2},
        2.0,
    ),
    (
        "large",
        100_000,
        {"team_manager": 1000, "iro": 300, "advanced_practitioner": 150, "senior_manager": 45,
         "head_of_service": 4, "dcs": 1},
        {"team_manager": 6, "iro": 8, "advanced_practitioner": 20, "senior_manager": 6,
         "head_of_service": 1, "dcs": 2},
        10.0,
    ),
]  # fmt: skip


def build(cases: int, auditors: dict[str, int], capacity: dict[str, int], rng: random.Random):
    """A council in bulk: localities, teams (one manager each), workers, IROs, open cases."""
    localities = [
        {"id": i, "name": f"Locality {i}"} for i in range(1, auditors["head_of_service"] + 1)
    ]
    insert_rows(Locality.__table__, localities)
    n_teams = auditors["team_manager"]
    teams = [
        {
            "id": t,
            "name": f"Team {t}",
            "name_key": f"team {t}",
            "locality_id": 1 + t % len(localities),
            "service": "child_in_need",
            "created_at": NOW,
            "updated_at": NOW,
        }
        for t in range(1, n_teams + 1)
    ]
    insert_rows(Team.__table__, teams)
    users, roles = [], []
    uid = 0

    def person(role, team_id=None, locality_id=None, manager=None):
        nonlocal uid
        uid += 1
        users.append(
            {
                "id": uid,
                "name": f"{role} {uid}",
                "name_key": f"{role} {uid}",
                "email": f"u{uid}@bench.test",
                "team_id": team_id,
                "locality_id": locality_id,
                "line_manager_id": manager,
                "capacity": capacity.get(role),
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        roles.append({"user_id": uid, "role": role})
        return uid

    dcs = person("dcs")
    heads = [person("head_of_service", locality_id=loc["id"], manager=dcs) for loc in localities]
    sms = [
        person("senior_manager", locality_id=1 + i % len(localities), manager=heads[i % len(heads)])
        for i in range(auditors["senior_manager"])
    ]
    tms = {
        t["id"]: person("team_manager", team_id=t["id"], manager=sms[t["id"] % len(sms)])
        for t in teams
    }
    iros = [person("iro", manager=sms[0]) for _ in range(auditors["iro"])]
    for _ in range(auditors["advanced_practitioner"]):
        person("advanced_practitioner", manager=sms[-1])
    workers = {
        t: [person("social_worker", team_id=t, manager=tms[t]) for _ in range(6)] for t in tms
    }
    insert_rows(User.__table__, users)
    insert_rows(UserRole.__table__, roles)
    insert_rows(
        Child.__table__,
        [
            {"id": i, "la_child_id": f"{i:08d}", "created_at": NOW, "updated_at": NOW}
            for i in range(1, cases + 1)
        ],
    )
    kinds = list(COHORTS)
    weights = list(COHORTS.values())
    rows = []
    for i in range(1, cases + 1):
        team = 1 + (i - 1) % n_teams
        cohort = rng.choices(kinds, weights)[0]
        rows.append(
            {
                "id": i,
                "child_id": i,
                "cohort": cohort,
                "team_id": team,
                "worker_id": rng.choice(workers[team]),
                "iro_id": rng.choice(iros) if cohort in ("cp", "cla") else None,
                "opened_on": date(2025, 6, 1),
                "closed_on": None,
                "unallocated": False,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    insert_rows(Case.__table__, rows)
    db.session.commit()


def floor_seconds(sample_size: int) -> float:
    """Reading the frame's case ids and bulk-inserting as many sample rows, then undoing it."""
    started = time.perf_counter()
    ids = db.session.scalars(
        select(Case.id).where(Case.open_on(date(2026, 11, 1))).order_by(Case.id)
    ).all()
    cycle = AuditCycle(month="1999-01", reference_date=date(1999, 1, 1), seed=1)
    db.session.add(cycle)
    db.session.flush()
    insert_rows(
        SampleItem.__table__,
        [
            {
                "cycle_id": cycle.id,
                "case_id": i,
                "cohort": "cin",
                "selection": "random",
                "added_at": NOW,
            }
            for i in ids[:sample_size]
        ],
    )
    db.session.flush()
    elapsed = time.perf_counter() - started
    db.session.rollback()
    return elapsed


def run(label: str, url: str) -> None:
    for name, cases, auditors, capacity, target in COUNCILS:
        app = bench_app(url)
        with app.app_context():
            build(cases, auditors, capacity, random.Random(2026))
            started = time.perf_counter()
            cycle = sampling.draw_sample(
                "2026-11", by=None, now=NOW, rng=random.Random(1), seed=7
            ).cycle
            drawn = time.perf_counter()
            plan = allocation.allocate_cycle(cycle, now=NOW)
            db.session.commit()
            elapsed = time.perf_counter() - started
            sample_size = len(plan.assigned) + len(plan.unallocated)
            floor = min(floor_seconds(sample_size) for _ in range(3))
            cycle = sampling.get_cycle("2026-11")
            pool = allocation.auditor_pool(cycle).auditors
            figures = quality(plan, allocation.case_infos(cycle), pool)
            print(
                f"sampling {label:<10} {name:<6} {cases:>7,} cases {len(pool):>5,} auditors: "
                f"draw+allocate {elapsed:5.2f} s (draw {drawn - started:4.2f} s), floor {floor:4.2f} s, "
                f"ratio {elapsed / floor:5.1f}x; sample {sample_size:,}, "
                f"load/capacity max {figures['max_load_ratio']:.2f} min {figures['min_load_ratio']:.2f}, "
                f"unallocated {figures['unallocated']}, IRO misses {figures['iro_misses']}, "
                f"most of one worker's cases to one auditor {figures['max_same_worker']} "
                f"({'meets' if elapsed < target else 'MISSES'} the {target:g} s target)"
            )
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in database_urls(tmp):
            run(label, url)


if __name__ == "__main__":
    main()
