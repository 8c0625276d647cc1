"""Planning an import: what a snapshot of open cases at date D changes, worked out without
writing anything (FORMATS.md; issue 3).

Cases are matched by child id (a child never has two open cases), teams and workers matched or
created as pending, and a case of a cohort the import covers that is absent from it is closed
at D. A snapshot older than the latest import of the same cohorts is refused.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.importers import StructuralError
from qa_app.importers.snapshot import RANK, ChildDetails, OpenCase, Snapshot
from qa_app.models import Case, Child, Import
from qa_app.models.vocab import COHORTS
from qa_app.services.imports.closures import breakdown
from qa_app.services.imports.directory import Directory, PersonRef, TeamRef
from qa_app.services.imports.events import EventPlan, plan_events

DETAIL_FIELDS = ("dob", "sex", "ethnicity", "has_disability", "disability_codes")


@dataclass(slots=True)
class _Existing:
    id: int
    child_pk: int
    cohort: str
    team_id: int | None
    worker_id: int | None
    iro_id: int | None
    opened_on: date | None
    unallocated: bool


@dataclass
class ImportPlan:
    snapshot: Snapshot
    directory: Directory
    new_children: list[ChildDetails] = field(default_factory=list)
    child_updates: list[dict] = field(default_factory=list)
    case_inserts: list[dict] = field(default_factory=list)  # "la_child_id" until ids are known
    case_updates: list[dict] = field(default_factory=list)
    case_closes: list[dict] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=dict)
    open_after: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COHORTS, 0))
    unallocated_after: int = 0
    events: EventPlan | None = None
    closing: Counter = field(default_factory=Counter)  # (cohort, team_id) of cases closed
    covered_open: int = 0  # open cases, before the import, of the cohorts it covers

    @property
    def open_cases(self) -> int:
        return sum(self.open_after.values())

    def summary(self, *, files: list[dict], dry_run: bool) -> dict:
        """The summary printed by ``qa import --json`` and kept on the Import row."""
        snapshot = self.snapshot
        return {
            "format": snapshot.format,
            "as_of": snapshot.as_of.isoformat(),
            "dry_run": dry_run,
            "files": files,
            "covers": [c for c in COHORTS if c in snapshot.covers],
            "children": len(snapshot.children),
            "open_cases": self.open_cases,
            "by_cohort": dict(self.open_after),
            "unallocated": self.unallocated_after,
            "teams_created": len(self.directory.new_teams),
            "staff_created": len(self.directory.new_people),
            "closed": self.changes.get("closed", 0),
            "closing": breakdown(self.closing, self.covered_open),
            "changes": dict(self.changes),
            "new_teams": sorted(t.name for t in self.directory.new_teams.values()),
            "new_staff": sorted(p.name for p in self.directory.new_people.values()),
            "rejected_rows": snapshot.rejected_rows(),
            "rejected": [r.as_dict() for r in snapshot.rejected],
            "warnings": snapshot.warnings.as_list() + self._ambiguity(),
            "events": self.events.summary() if self.events else {"kinds": {}},
        }

    def _ambiguity(self) -> list[str]:
        return [
            f"More than one member of staff is called {name!r}; cases were given to one of "
            "them (check on the Users page)"
            for name in self.directory.ambiguous[:20]
        ]


def _check_not_older(snapshot: Snapshot) -> None:
    """Refuse a snapshot older than the latest one for the same cohorts: it would undo it."""
    rows = db.session.execute(
        select(Import.as_of, Import.summary)
        .where(Import.status == "complete", Import.format != "demo")
        .where(Import.as_of > snapshot.as_of)
    ).all()
    for as_of, summary in rows:
        if set((summary or {}).get("covers", [])) & snapshot.covers:
            raise StructuralError(
                f"An import as of {as_of:%d/%m/%Y} already covers these cohorts; importing an "
                f"older snapshot (as of {snapshot.as_of:%d/%m/%Y}) would undo it"
            )


def _load_existing() -> tuple[dict[str, tuple], dict[int, _Existing]]:
    children = {
        row[1]: row
        for row in db.session.execute(
            select(
                Child.id,
                Child.la_child_id,
                Child.dob,
                Child.sex,
                Child.ethnicity,
                Child.has_disability,
                Child.disability_codes,
            )
        )
    }
    cases = {
        row[1]: _Existing(*row)
        for row in db.session.execute(
            select(
                Case.id,
                Case.child_id,
                Case.cohort,
                Case.team_id,
                Case.worker_id,
                Case.iro_id,
                Case.opened_on,
                Case.unallocated,
            ).where(Case.closed_on.is_(None))
        )
    }
    return children, cases


def _allocation(case: OpenCase, directory: Directory, existing: _Existing | None):
    team: TeamRef = directory.team(case.team) if case.team_given else None
    if not case.team_given and existing is not None:
        team = existing.team_id
    worker: PersonRef = None
    if case.worker_given:
        worker = directory.person(
            name=case.worker, swe=case.worker_swe, email=case.worker_email, team=team
        )
    elif existing is not None:
        worker = existing.worker_id
    iro: PersonRef = existing.iro_id if existing is not None else None
    if case.iro_given:
        email = case.iro if case.iro and "@" in case.iro else None
        iro = (
            directory.person(name=None if email else case.iro, email=email, role="iro")
            if case.iro
            else None
        )
    return team, worker, iro


def plan_import(snapshot: Snapshot) -> ImportPlan:
    """Work out every change *snapshot* makes to the database, writing nothing."""
    _check_not_older(snapshot)
    as_of = snapshot.as_of
    children, open_cases = _load_existing()
    directory = Directory.load()
    plan = ImportPlan(snapshot, directory)
    changes = dict.fromkeys(
        ("opened", "updated", "unchanged", "closed", "cohort_changed", "kept_existing",
         "children_added", "children_updated"), 0
    )  # fmt: skip

    for la_id, details in snapshot.children.items():
        row = children.get(la_id)
        if row is None:
            if la_id in snapshot.cases:
                plan.new_children.append(details)
            continue
        values = dict(zip(DETAIL_FIELDS, row[2:], strict=True))
        wanted = {"dob": details.dob, "sex": details.sex, "ethnicity": details.ethnicity,
                  "has_disability": details.has_disability,
                  "disability_codes": details.disability_codes}  # fmt: skip
        changed = {k: v for k, v in wanted.items() if v is not None and values[k] != v}
        if changed:
            plan.child_updates.append({"id": row[0], **changed})
    changes["children_added"] = len(plan.new_children)
    changes["children_updated"] = len(plan.child_updates)

    handled: set[int] = set()  # existing open case ids decided below
    for la_id in sorted(snapshot.cases):
        case = snapshot.cases[la_id]
        row = children.get(la_id)
        existing = open_cases.get(row[0]) if row is not None else None
        if existing is not None:
            handled.add(existing.id)
            same = existing.cohort == case.cohort
            outranks = RANK[existing.cohort] < RANK[case.cohort]
            if not same and existing.cohort not in snapshot.covers and outranks:
                changes["kept_existing"] += 1
                _count_existing(plan, existing, as_of)
                continue
        team, worker, iro = _allocation(case, directory, existing if existing else None)
        fields = {
            "cohort": case.cohort,
            "team_id": team,
            "worker_id": worker,
            "iro_id": iro,
            "opened_on": case.opened_on,
            "unallocated": worker is None,
        }
        plan.open_after[case.cohort] += 1
        plan.unallocated_after += worker is None
        if existing is not None and existing.cohort == case.cohort:
            current = {
                "team_id": existing.team_id,
                "worker_id": existing.worker_id,
                "iro_id": existing.iro_id,
                "opened_on": existing.opened_on,
                "unallocated": existing.unallocated,
            }
            diff = {k: v for k, v in fields.items() if k != "cohort" and current[k] != v}
            if diff:
                plan.case_updates.append({"id": existing.id, **diff})
                changes["updated"] += 1
            else:
                changes["unchanged"] += 1
            continue
        if existing is not None:
            plan.case_closes.append(
                {"id": existing.id, "closed_on": _superseded_on(existing, case, as_of)}
            )
            changes["cohort_changed"] += 1
        else:
            changes["opened"] += 1
        plan.case_inserts.append({"la_child_id": la_id, **fields})

    child_ids = {row[0]: la_id for la_id, row in children.items()}
    for existing in open_cases.values():
        if existing.id in handled:
            continue
        la_id = child_ids.get(existing.child_pk)
        if existing.cohort in snapshot.covers and la_id not in snapshot.unreadable:
            plan.case_closes.append({"id": existing.id, "closed_on": as_of})
            plan.closing[(existing.cohort, existing.team_id)] += 1
            changes["closed"] += 1
        else:
            _count_existing(plan, existing, as_of)
    plan.changes = changes
    plan.covered_open = sum(c.cohort in snapshot.covers for c in open_cases.values())
    plan.events = plan_events(
        snapshot, directory, children, {c.la_child_id for c in plan.new_children}
    )
    return plan


def _count_existing(plan: ImportPlan, existing: _Existing, as_of: date) -> None:
    if existing.opened_on is None or existing.opened_on <= as_of:
        plan.open_after[existing.cohort] += 1
        plan.unallocated_after += bool(existing.unallocated)


def _superseded_on(existing: _Existing, case: OpenCase, as_of: date) -> date:
    """A case replaced by one of another cohort ends when the new one began, if that is known
    and after the old one began; else at D."""
    start = case.opened_on
    if (
        start is not None
        and start <= as_of
        and (existing.opened_on is None or start > existing.opened_on)
    ):
        return start
    return as_of
