"""The audit form: starting an audit, saving answers safely, and what each page shows.

Saves are guarded by ``Audit.version``: a save names the version its page was drawn from, and
the database accepts it only if that is still the stored version (one conditional UPDATE, so
two tabs or two people saving at the same moment cannot both win). A refused save raises
``StaleAudit`` carrying the stored answers, so the caller can show both versions and nothing
typed is lost.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from qa_app.extensions import db
from qa_app.models import (
    Assignment,
    Audit,
    AuditEvent,
    Case,
    SampleItem,
    Team,
    ToolkitVersion,
    User,
)
from qa_app.models.toolkit_definition import ToolkitDefinition
from qa_app.services.actions.raising import default_owner, team_manager_of
from qa_app.services.audits import answers as audit_answers
from qa_app.services.audits.grading import AnswerProblem, check_answers
from qa_app.services.toolkits.store import toolkit_for_cohort

# Task list statuses (GOV.UK task list pattern).
NOT_STARTED, IN_PROGRESS, COMPLETED = "Not yet started", "In progress", "Completed"


class AuditError(ValueError):
    """An audit change that cannot be made as asked; the message says why."""


class StaleAudit(AuditError):
    """A save made from an out-of-date page: someone (or another tab) saved in between."""

    def __init__(self, audit: Audit, expected_version: int):
        self.stored_answers = audit_answers.normalise(audit.answers)
        self.stored_version = audit.version
        self.saved_at = audit.saved_at
        self.expected_version = expected_version
        super().__init__(
            f"This audit was saved elsewhere (version {audit.version}) after your page was "
            f"opened (version {expected_version})"
        )


# Toolkit versions never change once loaded, so each process parses each one once. The key
# includes the content hash: a test database reuses ids for different toolkits.
_DEFINITIONS: dict[tuple[int, str], ToolkitDefinition] = {}


def definition(audit: Audit, content_hash: str | None = None) -> ToolkitDefinition:
    """The audit's toolkit version as typed objects (cached per process)."""
    if content_hash is None:
        content_hash = audit.toolkit_version.content_hash
    key = (audit.toolkit_version_id, content_hash)
    found = _DEFINITIONS.get(key)
    if found is None:
        if len(_DEFINITIONS) > 256:
            _DEFINITIONS.clear()
        found = _DEFINITIONS[key] = audit.toolkit_version.definition
    return found


def audit_for_saving(user: User, audit_id: int) -> tuple[Audit, ToolkitDefinition] | None:
    """The audit and its toolkit for an autosave, in one query (None unless *user* audits it)."""
    row = db.session.execute(
        select(Audit, ToolkitVersion.content_hash)
        .join(ToolkitVersion, ToolkitVersion.id == Audit.toolkit_version_id)
        .where(Audit.id == audit_id)
    ).first()
    if row is None or row[0].auditor_id != user.id:
        return None
    return row[0], definition(row[0], row[1])


def start_audit(assignment: Assignment, *, by: User, now: datetime) -> Audit:
    """The audit of *assignment*, created on first start on the cohort's active toolkit version.

    The version is kept with the audit for ever, whatever is loaded later.
    """
    if assignment.auditor_id != by.id:
        raise AuditError("This audit is allocated to someone else")
    if assignment.status == "proposed":
        raise AuditError("This audit has not been published yet")
    existing = db.session.scalar(select(Audit).where(Audit.assignment_id == assignment.id))
    if existing is not None:
        if existing.auditor_id != by.id and existing.status == "draft":
            # The QA lead gave the case to another auditor: the draft goes with it.
            db.session.add(
                AuditEvent(
                    audit_id=existing.id,
                    at=now,
                    by_id=by.id,
                    kind="auditor_changed",
                    detail={"from": existing.auditor_id, "to": by.id},
                )
            )
            existing.auditor_id = by.id
            db.session.flush()
        return existing
    case = assignment.item.case
    version = toolkit_for_cohort(case.cohort)
    audit = Audit(
        assignment_id=assignment.id,
        case_id=case.id,
        auditor_id=by.id,
        toolkit_version_id=version.id,
        status="draft",
        answers=audit_answers.empty_answers(),
        version=1,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(audit)
            db.session.flush()
    except IntegrityError:
        # Started at the same moment in another tab: the other request's audit stands.
        return db.session.scalar(select(Audit).where(Audit.assignment_id == assignment.id))
    db.session.add(AuditEvent(audit_id=audit.id, at=now, by_id=by.id, kind="created"))
    if assignment.status == "assigned":
        assignment.status = "in_progress"
    db.session.flush()
    return audit


def audits_for_assignments(assignments: list[Assignment]) -> dict[int, Audit]:
    """Audits by assignment id, for the "My audits" list."""
    ids = [a.id for a in assignments]
    if not ids:
        return {}
    return {
        audit.assignment_id: audit
        for audit in db.session.scalars(select(Audit).where(Audit.assignment_id.in_(ids)))
    }


def get_audit(audit_id: int) -> Audit | None:
    return db.session.scalar(
        select(Audit)
        .where(Audit.id == audit_id)
        .options(
            joinedload(Audit.case).joinedload(Case.team).joinedload(Team.locality),
            joinedload(Audit.case).joinedload(Case.worker),
            joinedload(Audit.assignment).joinedload(Assignment.item).joinedload(SampleItem.cycle),
            joinedload(Audit.case).joinedload(Case.child),
            joinedload(Audit.toolkit_version),
        )
    )


def editable_audit(user: User, audit_id: int) -> Audit | None:
    """The audit if *user* is its auditor (the only person who edits it), else None."""
    audit = get_audit(audit_id)
    if audit is None or audit.auditor_id != user.id:
        return None
    return audit


def require_draft(audit: Audit) -> None:
    if audit.status != "draft":
        raise AuditError(
            "This audit has been submitted and is locked: only the QA lead can reopen it"
        )


def save_changes(
    audit: Audit,
    changes: Mapping,
    *,
    expected_version: int,
    by: User,
    now: datetime,
    toolkit: ToolkitDefinition | None = None,
) -> Audit:
    """Apply *changes* (path -> value) to the draft, if the page's version is still current.

    Raises ``InvalidAnswer`` (nothing saved) for a change that does not fit the toolkit,
    ``StaleAudit`` (nothing saved) when the audit was saved elsewhere since *expected_version*.
    """
    if audit.auditor_id != by.id:
        raise AuditError("Only the auditor can change this audit")
    require_draft(audit)
    if expected_version != audit.version:
        raise StaleAudit(audit, expected_version)
    answers = audit_answers.apply_changes(toolkit or definition(audit), audit.answers, changes)
    result = db.session.execute(
        update(Audit)
        .where(Audit.id == audit.id, Audit.version == expected_version, Audit.status == "draft")
        .values(answers=answers, version=expected_version + 1, saved_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(audit)
        require_draft(audit)
        raise StaleAudit(audit, expected_version)
    # The row is known: no need to read it back.
    set_committed_value(audit, "answers", answers)
    set_committed_value(audit, "version", expected_version + 1)
    set_committed_value(audit, "saved_at", now)
    return audit


# --- what the pages show ---


def owners_for(case: Case) -> dict[str, User | None]:
    """Who "the worker" and "the team manager" are for this case's actions."""
    worker = case.worker if case.worker is not None and case.worker.is_active else None
    return {"worker": worker, "team_manager": team_manager_of(case)}


def problems(audit: Audit) -> list[AnswerProblem]:
    """Every missing or invalid item, in form order (empty: ready to submit)."""
    toolkit = definition(audit)
    answers = audit_answers.normalise(audit.answers)
    found = check_answers(toolkit, audit_answers.to_grading(answers))
    found += audit_answers.action_problems(toolkit, answers, owners=owners_for(audit.case))
    return found


@dataclass(frozen=True)
class Task:
    key: str  # a section key, or "compliance" / "overall"
    title: str
    status: str
    problems: tuple[AnswerProblem, ...]


def tasks(audit: Audit) -> list[Task]:
    """One task per section, then compliance, then the overall grade, each with its status."""
    toolkit = definition(audit)
    answers = audit_answers.normalise(audit.answers)
    found = problems(audit)
    out = []
    for section in toolkit.sections:
        mine = tuple(p for p in found if p.section == section.key)
        touched = audit_answers.section_touched(answers, section.key)
        out.append(Task(section.key, section.title, _status(touched, mine), mine))
    mine = tuple(p for p in found if p.field.startswith("compliance."))
    out.append(
        Task("compliance", "Compliance questions", _status(bool(answers["compliance"]), mine), mine)
    )
    mine = tuple(p for p in found if p.field in _OVERALL_FIELDS)
    overall = answers["overall"]
    touched = overall["grade"] is not None or bool(overall["rationale"].strip())
    out.append(Task("overall", "Overall grade", _status(touched, mine), mine))
    return out


_OVERALL_FIELDS = {"overall_grade", "overall_rationale", "difference_reason", "sections"}


def _status(touched: bool, found: tuple) -> str:
    if not touched:
        return NOT_STARTED
    return IN_PROGRESS if found else COMPLETED


def problem_link(problem: AnswerProblem) -> tuple[str, str]:
    """(page, field id) where a problem is fixed: page is a section key, compliance or overall."""
    parts = problem.field.split(".")
    if parts[0] == "sections" and len(parts) >= 2:
        field = parts[2] if len(parts) > 2 else "grade"
        field = {"not_applicable_reason": "na_reason"}.get(field, field)
        return parts[1], f"sections.{parts[1]}.{field}"
    if parts[0] == "compliance":
        return "compliance", problem.field
    if parts[0] == "actions":
        return problem.section or "", problem.field
    if parts[0] == "sections":
        return "overall", "overall.grade"
    name = {"overall_grade": "grade", "overall_rationale": "rationale"}.get(
        problem.field, problem.field
    )
    return "overall", f"overall.{name}"


def default_action_owner(case: Case) -> str:
    """The owner key a new drafted action starts with: the worker, else the team manager."""
    return "worker" if default_owner(case) is case.worker and case.worker else "team_manager"
