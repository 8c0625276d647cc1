"""Twelve months of events for the demo council, so the performance dashboard, its XmR charts
and the board paper have varied figures with a few special causes on a fresh install.

``seed_events`` works from the open cases the demo has just created: each child's records fit
their case (cohort, the day it opened). Children whose cases opened and closed within the year
(referrals that went no further, CIN plans and CP plans that ended, periods of care that ended)
are added with their closed cases, as a council's extracts would show them. Snapshot indicators
need an import in each month: the demo adds one per month (as of the month's last day) beside
its own import (as of today), each holding every kind of event, as a monthly Annex A would.
Rows are written with bulk INSERTs and carry the fingerprints an import gives them.
"""

from datetime import date, datetime, time, timedelta
from random import Random

from sqlalchemy import func, select

from qa_app.bulk import insert_rows
from qa_app.demo.events_care import care_leaver, ended_period, period_of_care
from qa_app.demo.events_front import (
    cin_episode,
    cin_plan,
    cp_plan,
    fill_referrals,
    open_case_front,
    plans_started,
)
from qa_app.demo.events_plan import Context, Kid, WorkingDays, plan_months
from qa_app.extensions import db
from qa_app.importers.events import KINDS, covered_period
from qa_app.models import Case, Child, EventCoverage, Import, Team, User, UserRole
from qa_app.services.imports.events import fingerprint
from qa_app.services.performance.calendar_table import ensure_calendar
from qa_app.services.performance.tables import EVENT_TABLES
from qa_app.services.platform import months as month_helpers

BATCH = 10_000
SOURCES = {"cin_plans": "cin-census", "cla_episodes": "ssda903", "missing_episodes": "ssda903"}
# Plans starting each month, per open case of the cohort (CP plans also start for the cases
# that opened in the window); periods of care ending each month, per child looked after.
STARTING = {"cp": 0.045, "cin": 0.09}
CLA_ENDING = 0.025


def monthly_imports(today: date) -> list[Import]:
    """The demo's monthly imports, as of the last day of each of the 12 months before today's
    (flushed; created before the demo's own import so the history lists them in date order)."""
    plan = plan_months(today, 0, Random(0))
    imports = []
    for as_of in plan.checkpoints[:-1]:
        created = datetime.combine(as_of + timedelta(days=1), time(7))
        imports.append(Import(format="demo", as_of=as_of, created_at=created, files=[],
                              status="complete", summary={"format": "demo",
                                                          "as_of": as_of.isoformat()}))  # fmt: skip
    db.session.add_all(imports)
    db.session.flush()
    return imports


def _teams() -> dict[str, list[tuple[int, list[int]]]]:
    workers: dict[int, list[int]] = {}
    for team_id, user_id in db.session.execute(
        select(User.team_id, User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "social_worker", User.team_id.is_not(None))
        .order_by(User.id)
    ):
        workers.setdefault(team_id, []).append(user_id)
    teams: dict[str, list[tuple[int, list[int]]]] = {}
    for team_id, service in db.session.execute(
        select(Team.id, Team.service).where(Team.service.is_not(None)).order_by(Team.id)
    ):
        teams.setdefault(service, []).append((team_id, workers.get(team_id, [])))
    return teams


def _open_cases() -> list[tuple[Kid, str, date | None]]:
    rows = db.session.execute(
        select(Child.id, Child.la_child_id, Child.dob, Case.cohort, Case.team_id, Case.worker_id,
               Case.opened_on)
        .join(Case, Case.child_id == Child.id)
        .where(Case.closed_on.is_(None))
        .order_by(Case.id)
    )  # fmt: skip
    return [(Kid(la, dob, team, worker, pk), cohort, opened)
            for pk, la, dob, cohort, team, worker, opened in rows]  # fmt: skip


def _open_case(ctx: Context, kid: Kid, cohort: str, opened: date) -> None:
    """The records of one open case, according to its cohort and the day it opened."""
    rng, today = ctx.rng, ctx.today
    recent = opened >= ctx.plan.start
    if cohort in ("assessment", "cin", "cp", "cla") and recent:
        started = open_case_front(ctx, kid, cohort, opened)
        if cohort == "cla":
            period_of_care(ctx, kid, started, None)
    elif cohort == "cin":
        cin_episode(ctx, kid, opened, None)
        cin_plan(ctx, kid, min(today, opened + timedelta(days=rng.randint(20, 60))), None)
    elif cohort == "cp":
        cin_episode(ctx, kid, opened, None)
        cp_plan(ctx, kid, min(today, opened + timedelta(days=rng.randint(10, 40))), None)
    elif cohort == "cla":
        cin_episode(ctx, kid, opened, None)
        period_of_care(ctx, kid, opened, None)
    elif cohort == "short_breaks":
        period_of_care(ctx, kid, opened, None, legal="V3")
    elif cohort == "care_leaver":
        care_leaver(ctx, kid, opened)


def generate(today: date, rng: Random, cases: int) -> Context:
    """Every event of the demo's year, in memory (children not yet written)."""
    plan = plan_months(today, cases, rng)
    wd = WorkingDays(date(today.year - 16, 1, 1), today + timedelta(days=400))
    used = set(db.session.scalars(select(Child.la_child_id)))
    ctx = Context(plan, rng, wd, _teams(), used)
    by_cohort: dict[str, int] = {}
    pools: dict[str, list[tuple[Kid, date]]] = {"cin": [], "cp": []}
    for kid, cohort, opened in _open_cases():
        by_cohort[cohort] = by_cohort.get(cohort, 0) + 1
        opened = opened or today - timedelta(days=30)
        if cohort in pools and opened < plan.start:
            pools[cohort].append((kid, opened))
        else:
            _open_case(ctx, kid, cohort, opened)
    for cohort, pool in pools.items():
        pool.sort(key=lambda item: item[1])
        plans_started(ctx, cohort, STARTING[cohort] * by_cohort.get(cohort, 0), pool)
        for kid, opened in pool:  # the open cases whose plan began before the window
            _open_case(ctx, kid, cohort, opened)
    for month in plan.months:
        first = month_helpers.first_day(month)
        last = min(month_helpers.last_day(month), today - timedelta(days=1))
        share = min(1.0, ((last - first).days + 1) / 30.4)
        for _ in range(round(CLA_ENDING * by_cohort.get("cla", 0) * share)):
            ended_period(ctx, ctx.day(first, last))
    fill_referrals(ctx)
    return ctx


def seed_events(*, today: date, rng: Random, import_id: int, now: datetime,
                imports: list[Import]) -> dict[str, int]:  # fmt: skip
    """Generate and write the demo's events (flushes; the caller commits). Returns the number
    of rows per kind, and of the children and closed cases added."""
    ensure_calendar()
    ctx = generate(today, rng, len(_open_cases()))
    _write_children(ctx, now)
    _write_cases(ctx, import_id, now)
    counts = {"children_added": len(ctx.new_kids), "closed_cases": len(ctx.closed_cases)}
    for kind in KINDS:
        counts[kind] = _write_kind(kind, ctx.rows.get(kind, []), import_id)
    _cover(today, import_id, imports, counts)
    db.session.flush()
    return counts


def _write_children(ctx: Context, now: datetime) -> None:
    rng = ctx.rng
    for case in ctx.closed_cases:  # born before their first case opened
        kid = case["kid"]
        if kid.pk is None and kid.dob >= case["opened_on"]:
            kid.dob = case["opened_on"] - timedelta(days=rng.randint(30, 700))
    rows = [{"la_child_id": kid.la_id, "dob": kid.dob, "sex": rng.choice("MF"),
             "ethnicity": rng.choice(("WBRI", "WBRI", "WBRI", "MOTH", "APKN", "BAFR", "WOTH")),
             "has_disability": False, "disability_codes": None, "created_at": now,
             "updated_at": now} for kid in ctx.new_kids]  # fmt: skip
    for start in range(0, len(rows), BATCH):
        insert_rows(Child.__table__, rows[start : start + BATCH])
    ids = dict(db.session.execute(select(Child.la_child_id, Child.id)).all())
    for kid in ctx.new_kids:
        kid.pk = ids[kid.la_id]


def _write_cases(ctx: Context, import_id: int, now: datetime) -> None:
    iros = list(
        db.session.scalars(
            select(UserRole.user_id).where(UserRole.role == "iro").order_by(UserRole.user_id)
        )
    )
    for case in ctx.closed_cases:
        reviewed = case["cohort"] in ("cp", "cla") and iros
        case["iro"] = ctx.rng.choice(iros) if reviewed else None
    rows = [{"child_id": c["kid"].pk, "cohort": c["cohort"], "team_id": c["kid"].team,
             "worker_id": None if c["unallocated"] else c["kid"].worker, "iro_id": c["iro"], "opened_on": c["opened_on"],
             "closed_on": max(c["opened_on"] + timedelta(days=1), c["closed_on"]),
             "unallocated": c["unallocated"], "import_id": import_id, "created_at": now,
             "updated_at": now} for c in ctx.closed_cases]  # fmt: skip
    for start in range(0, len(rows), BATCH):
        insert_rows(Case.__table__, rows[start : start + BATCH])


def _write_kind(name: str, rows: list[dict], import_id: int) -> int:
    kind, table = KINDS[name], EVENT_TABLES[name]
    source = SOURCES.get(name, "annex-a")
    out = []
    for row in rows:
        kid = row["child_id"]
        team, worker = (kid.team, kid.worker) if kind.allocated else (None, None)
        values = tuple(row.get(field) for field in kind.fields)
        record = {"child_id": kid.pk, "import_id": import_id, "source": source,
                  "fingerprint": fingerprint((kid.la_id, source, team, worker, *values)),
                  **dict(zip(kind.fields, values, strict=True))}  # fmt: skip
        if kind.allocated:
            record["team_id"], record["worker_id"] = team, worker
        out.append(record)
        if len(out) >= BATCH:
            insert_rows(table, out)
            out = []
    insert_rows(table, out)
    return len(rows)


def _cover(today: date, import_id: int, imports: list[Import], counts: dict) -> None:
    """Each demo import holds every kind for the 12 months up to its as-of date."""
    rows = []
    for imported, as_of in [(i.id, i.as_of) for i in imports] + [(import_id, today)]:
        low, high = covered_period(as_of)
        for kind in KINDS:
            rows.append({"import_id": imported, "kind": kind, "period_start": low,
                         "period_end": high, "rows": counts[kind] if imported == import_id
                         else 0, "added": counts[kind] if imported == import_id else 0,
                         "removed": 0, "unchanged": 0})  # fmt: skip
    insert_rows(EventCoverage.__table__, rows)
    for imported in imports:
        open_cases = db.session.scalar(
            select(func.count(Case.id)).where(Case.open_on(imported.as_of))
        )
        imported.open_cases = imported.children = open_cases
