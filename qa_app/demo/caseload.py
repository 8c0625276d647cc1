"""The demo council's children and open cases, planned first, then inserted in bulk."""

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import cycle
from random import Random

from sqlalchemy import select

from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.models import Case, Child
from qa_app.models.base import utcnow
from qa_app.models.vocab import COHORTS
from qa_app.services.platform.tasks import Progress
from qa_app.services.sampling.apportion import largest_remainder

LOCALITY_SHARE = {"North": 0.36, "Central": 0.34, "East": 0.30}
# A typical English caseload mix of open cases.
COHORT_SHARE = {
    "assessment": 0.14,
    "cin": 0.33,
    "cp": 0.12,
    "cla": 0.22,
    "care_leaver": 0.15,
    "short_breaks": 0.04,
}
COHORT_SERVICES = {
    "assessment": {"front_door": 1.0},
    "cin": {"child_in_need": 0.9, "disabled_children": 0.1},
    "cp": {"child_protection": 1.0},
    "cla": {"children_in_care": 0.92, "disabled_children": 0.08},
    "care_leaver": {"care_leavers": 1.0},
    "short_breaks": {"disabled_children": 1.0},
}
AGE_YEARS = {  # (youngest, oldest) at the reference date
    "assessment": (0, 17),
    "cin": (0, 17),
    "cp": (0, 15),
    "cla": (0, 17),
    "care_leaver": (18, 24),
    "short_breaks": (4, 17),
}
OPEN_DAYS = {  # how long ago the case opened, in days
    "assessment": (1, 44),
    "cin": (30, 1100),
    "cp": (14, 700),
    "cla": (30, 4000),
    "care_leaver": (30, 2200),
    "short_breaks": (60, 1800),
}
ETHNICITY = {
    "WBRI": 68, "WIRI": 1, "WOTH": 4, "WIRT": 1, "MWBC": 3, "MWBA": 1, "MWAS": 1, "MOTH": 3,
    "AIND": 2, "APKN": 4, "ABAN": 1, "AOTH": 1, "BCRB": 1, "BAFR": 3, "BOTH": 1, "CHNE": 1,
    "OOTH": 2, "REFU": 1, "NOBT": 1,
}  # fmt: skip
CASES_PER_WORKER = 15
UNALLOCATED_SHARE = 0.01
BATCH = 5000


@dataclass
class CaseloadPlan:
    total: int
    # (locality, service) -> cohort -> number of open cases
    cells: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)

    def cases_in(self, cell: tuple[str, str]) -> int:
        return sum(self.cells[cell].values())


@dataclass
class CaseloadCounts:
    children: int
    open_cases: int
    by_cohort: dict[str, int]


def plan_caseload(total: int, rng: Random) -> CaseloadPlan:
    """Split *total* cases over cohorts, localities and services."""
    plan = CaseloadPlan(total=total)
    # Localities differ a little from the council-wide mix, as real ones do.
    for cohort, count in largest_remainder(total, COHORT_SHARE).items():
        shares = {loc: share * rng.uniform(0.85, 1.15) for loc, share in LOCALITY_SHARE.items()}
        for locality, in_locality in largest_remainder(count, shares).items():
            services = largest_remainder(in_locality, COHORT_SERVICES[cohort])
            for service, n in services.items():
                cell = plan.cells.setdefault((locality, service), {})
                cell[cohort] = cell.get(cohort, 0) + n
    return plan


def workers_needed(cases: int) -> int:
    return max(1, math.ceil(cases / CASES_PER_WORKER))


def _child_ids(rng: Random, n: int) -> Iterator[str]:
    # Eight digits, so some ids keep a leading zero, as real ones do.
    for number in rng.sample(range(1_000_000, 99_999_999), n):
        yield f"{number:08d}"


def _weighted(rng: Random, table: dict[str, int]) -> list[str]:
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys], k=1)


def _child_row(rng: Random, la_id: str, cohort: str, today: date) -> dict:
    low, high = AGE_YEARS[cohort]
    age_days = rng.randint(low * 365 + 1, high * 365 + 364)
    disabled = rng.random() < (0.6 if cohort == "short_breaks" else 0.1)
    return {
        "la_child_id": la_id,
        "dob": today - timedelta(days=age_days),
        "sex": rng.choices("MFU", weights=(52, 47, 1))[0],
        "ethnicity": _weighted(rng, ETHNICITY)[0],
        "has_disability": disabled,
        "disability_codes": rng.choice(["LD", "AUT", "COMM", "MOB", "HAND", "BEH"])
        if disabled
        else None,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


def _opened_on(rng: Random, cohort: str, dob: date, today: date) -> date:
    if cohort == "care_leaver":
        eighteenth = date(dob.year + 18, dob.month, min(dob.day, 28))
        return min(today - timedelta(days=1), eighteenth + timedelta(days=rng.randint(0, 30)))
    low, high = OPEN_DAYS[cohort]
    return max(dob + timedelta(days=1), today - timedelta(days=rng.randint(low, high)))


def insert_caseload(
    plan: CaseloadPlan, council, *, rng: Random, today: date, import_id: int, progress: Progress
) -> CaseloadCounts:
    """Insert every planned child and open case with bulk INSERTs (no ORM objects)."""
    ids = _child_ids(rng, plan.total)
    iros = cycle(rng.sample(council.iro_ids, len(council.iro_ids))) if council.iro_ids else None
    by_cohort = dict.fromkeys(COHORTS, 0)
    pending_children: list[dict] = []
    pending_cases: list[dict] = []
    done = 0

    def flush() -> None:
        # Bulk INSERT (COPY on PostgreSQL), then one lookup of the new ids by the unique child
        # id: INSERT ... RETURNING over many rows is far slower.
        nonlocal done
        insert_rows(Child.__table__, pending_children)
        wanted = [child["la_child_id"] for child in pending_children]
        ids = dict(
            db.session.execute(
                select(Child.la_child_id, Child.id).where(Child.la_child_id.in_(wanted))
            ).all()
        )
        for child, case in zip(pending_children, pending_cases, strict=True):
            case["child_id"] = ids[child["la_child_id"]]
        insert_rows(Case.__table__, pending_cases)
        done += len(pending_cases)
        pending_children.clear()
        pending_cases.clear()
        progress(25 + int(70 * done / plan.total), f"Created {done:,} of {plan.total:,} cases")

    for cell in sorted(plan.cells):
        teams = council.teams_by_cell[cell]
        workers = {
            t: cycle(rng.sample(council.workers_by_team[t], len(council.workers_by_team[t])))
            for t in teams
        }
        team_turn = cycle(teams)
        for cohort in sorted(plan.cells[cell]):
            for _ in range(plan.cells[cell][cohort]):
                child = _child_row(rng, next(ids), cohort, today)
                team_id = next(team_turn)
                unallocated = rng.random() < UNALLOCATED_SHARE
                pending_children.append(child)
                pending_cases.append(
                    {
                        "cohort": cohort,
                        "team_id": team_id,
                        "worker_id": None if unallocated else next(workers[team_id]),
                        "iro_id": next(iros) if iros and cohort in ("cp", "cla") else None,
                        "opened_on": _opened_on(rng, cohort, child["dob"], today),
                        "closed_on": None,
                        "unallocated": unallocated,
                        "import_id": import_id,
                        "created_at": child["created_at"],
                        "updated_at": child["created_at"],
                    }
                )
                by_cohort[cohort] += 1
                if len(pending_cases) >= BATCH:
                    flush()
    if pending_cases:
        flush()
    return CaseloadCounts(children=plan.total, open_cases=plan.total, by_cohort=by_cohort)
