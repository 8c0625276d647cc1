"""The demo council: a believable, deterministic fake council for trying the service.

``seed_demo`` builds localities, teams, staff with line management, open cases with a
realistic cohort mix (in bulk: 100,000 cases in well under a minute), and loads the shipped audit
toolkits. Everything comes from one seeded random generator, so a seed always gives the same
council.
"""

import random
from dataclasses import asdict, dataclass
from datetime import date, datetime

from faker import Faker
from sqlalchemy import func, select, text

from qa_app import models
from qa_app.bulk import bulk_load, indexes_built_after
from qa_app.demo.actions_history import seed_action_history
from qa_app.demo.auditing import size_audit_pool
from qa_app.demo.caseload import insert_caseload, plan_caseload
from qa_app.demo.council import DEMO_LOGINS, DEMO_PASSWORD, build_council
from qa_app.demo.events import monthly_imports, seed_events
from qa_app.demo.history import seed_history
from qa_app.demo.moderation_history import seed_moderation_history
from qa_app.extensions import db
from qa_app.models import AuditCycle, Case, Import, ReportVersion, User
from qa_app.services.people.accounts import hash_password
from qa_app.services.platform.tasks import Progress
from qa_app.services.reports import versions as report_versions
from qa_app.services.toolkits.store import (
    ToolkitsRefused,
    load_toolkit_files,
    shipped_toolkit_files,
)

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "EVENTS_MAX_CASES",
    "DemoRefused",
    "DemoSummary",
    "build_last_months_report",
    "database_has_history",
    "database_is_empty",
    "seed_demo",
    "seed_task",
    "wipe_all_data",
]


HISTORY_MONTHS = 12
# Events for a larger council take more than the minute a demo load may take (100,000 cases:
# over a minute more); ask for them with events=True (`qa demo seed --events`).
EVENTS_MAX_CASES = 20_000


class DemoRefused(ValueError):
    """The demo cannot be loaded here (the database already holds a council)."""


@dataclass
class DemoSummary:
    localities: int
    teams: int
    staff: int
    children: int
    open_cases: int
    by_cohort: dict[str, int]
    seed: int
    history: dict[str, int]
    actions: int = 0
    events: dict[str, int] | None = None

    def as_dict(self) -> dict:
        return asdict(self)


# The tables the history fills (a million rows and more for a 100,000-case council).
HISTORY_MODELS = (
    models.AuditCycle,
    models.SampleItem,
    models.Assignment,
    models.Audit,
    models.AuditSectionGrade,
    models.AuditComplianceAnswer,
    models.AuditEvent,
    models.Moderation,
    models.ModerationSectionGrade,
    models.Dispute,
    models.EscalationTrigger,
    models.Tier3Review,
    models.Action,
    models.ActionEvent,
    models.ActionReminder,
)


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count(User.id))) == 0


def seed_demo(
    *,
    cases: int,
    seed: int,
    today: date,
    now: datetime,
    progress: Progress | None = None,
    history_months: int = HISTORY_MONTHS,
    events: bool | None = None,
) -> DemoSummary:
    """Create the demo council in an empty database (flushes; the caller commits).

    *history_months* past monthly cycles of audits, moderation and actions come with it
    (0: the council and its caseload only, the fastest load for a very large council). With
    *events* (by default when there is history and at most EVENTS_MAX_CASES cases) come 12
    months of the extracts' events for the performance indicators (``demo.events.seed_events``).
    """
    if cases < 50 or cases > 500_000:
        raise DemoRefused("The demo council needs between 50 and 500,000 cases")
    if not 0 <= history_months <= HISTORY_MONTHS:
        raise DemoRefused(f"History months must be between 0 and {HISTORY_MONTHS}")
    if not database_is_empty():
        raise DemoRefused(
            "The database already holds staff: the demo council is loaded only into an empty "
            "database (use `qa demo seed --reset` to wipe it first)"
        )
    with bulk_load():
        return _seed(
            cases,
            seed,
            today,
            now,
            progress or (lambda _pct, _msg: None),
            history_months,
            bool(history_months) and cases <= EVENTS_MAX_CASES if events is None else events,
        )


def _seed(
    cases: int,
    seed: int,
    today: date,
    now: datetime,
    report: Progress,
    history_months: int,
    with_events: bool,
) -> DemoSummary:
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    password_hash = hash_password(DEMO_PASSWORD)

    report(2, "Planning the caseload")
    plan = plan_caseload(cases, rng)
    report(5, "Creating localities, teams and staff")
    council = build_council(
        plan,
        rng=rng,
        fake=fake,
        password_hash=password_hash,
        now=now,
        experience=random.Random(f"{seed}-qualified"),
    )
    report(25, f"Created {council.staff_count:,} staff in {len(council.team_ids):,} teams")
    # The monthly imports the events come with, first so the import history reads in order.
    past_imports = monthly_imports(today) if with_events else []
    demo_import = Import(format="demo", as_of=today, created_at=now, files=[], status="complete")
    db.session.add(demo_import)
    db.session.flush()
    counts = insert_caseload(
        plan, council, rng=rng, today=today, import_id=demo_import.id, progress=report
    )
    demo_import.children = counts.children
    demo_import.open_cases = counts.open_cases
    demo_import.summary = {
        "format": "demo",
        "as_of": today.isoformat(),
        "by_cohort": counts.by_cohort,
    }
    size_audit_pool(counts.open_cases, rng, today)
    db.session.flush()
    report(99, "Loading the audit toolkits")
    try:
        load_toolkit_files(shipped_toolkit_files(), by=None, now=now, via="demo")
    except ToolkitsRefused as exc:
        raise DemoRefused(f"The shipped toolkits cannot be loaded:\n{exc}") from exc
    history, actions, events = {}, {}, None
    if history_months:
        with indexes_built_after([model.__table__ for model in HISTORY_MODELS]):
            report(99, f"Creating {history_months} months of audit history")
            history = seed_history(today=today, rng=rng, months=history_months)
            # Then moderate, dispute and escalate the submitted audits.
            report(99, "Moderating the audit history")
            seed_moderation_history(today=today, rng=random.Random(seed + 6))
            # Then the audits' actions, in every state, with the reminders already sent.
            report(99, "Raising and ageing the audits' actions")
            actions = seed_action_history(today=today, rng=random.Random(f"{seed}-actions"))
            report(99, "Indexing the audit history")
    if with_events:
        report(99, "Creating 12 months of referrals, assessments, plans and care")
        events = seed_events(today=today, rng=random.Random(f"{seed}-events"),
                             import_id=demo_import.id, now=now, imports=past_imports)  # fmt: skip
    report(100, "Demo council ready")
    return DemoSummary(
        localities=len(council.locality_ids),
        teams=len(council.team_ids),
        staff=council.staff_count,
        children=counts.children,
        open_cases=db.session.scalar(select(func.count(Case.id)).where(Case.closed_on.is_(None))),
        by_cohort=counts.by_cohort,
        seed=seed,
        actions=actions.get("actions", 0),
        history=history,
        events=events,
    )


def database_has_history() -> bool:
    return db.session.scalar(select(AuditCycle.id).limit(1)) is not None


def build_last_months_report(*, today: date, now: datetime) -> ReportVersion | None:
    """The previous month's council draft, as the monthly-report job builds it on the first
    working day, so a fresh demo has a report to read (flushes; the caller commits). None when
    that draft exists already or the demo has no audit history."""
    if not database_has_history():
        return None
    version = report_versions.last_months_draft(today, now=now)
    return None if version is None else report_versions.build(version, now=now)


def wipe_all_data() -> None:
    """Delete every row of every table (schema kept): for `qa demo seed --reset` only.

    Ids start again from 1, as in a new database: the sample's lottery numbers come from case
    ids, so a seed gives the same council and history after a reset as on a fresh database.
    """
    if db.session.connection().dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # SQLite gives an emptied table's next row id 1 (no AUTOINCREMENT tables here).
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
    db.session.flush()


def seed_task(task, progress: Progress, *, now: datetime, today: date) -> dict:
    """Run a queued ``demo_seed`` background task; returns the summary stored on the task."""
    today = date.fromisoformat(task.params["today"]) if task.params.get("today") else today
    summary = seed_demo(
        cases=int(task.params.get("cases", 6000)),
        seed=int(task.params.get("seed", 2026)),
        history_months=int(task.params.get("history_months", HISTORY_MONTHS)),
        events=task.params.get("events"),
        today=today,
        now=now,
        progress=progress,
    )
    progress(100, "Building last month's audit report")
    build_last_months_report(today=today, now=now)
    progress(100, "Demo council ready")
    return summary.as_dict()
