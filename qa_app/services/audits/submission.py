"""Submitting an audit (which locks it) and reopening one (the QA lead only, with a reason)."""

import random
from datetime import datetime

from sqlalchemy import delete, update

from qa_app.extensions import db
from qa_app.models import Audit, AuditComplianceAnswer, AuditEvent, AuditSectionGrade, User
from qa_app.services.actions.raising import raise_action
from qa_app.services.audits import after_submit as audit_hooks
from qa_app.services.audits import answers as audit_answers
from qa_app.services.audits.form import (
    AuditError,
    StaleAudit,
    definition,
    owners_for,
    problems,
    require_draft,
)
from qa_app.services.audits.grading import AnswerProblem, suggest_for_answers
from qa_app.services.moderation.rules import ModerationRules

MAX_REOPEN_REASON = 2_000


class NotReady(AuditError):
    """Submission refused: ``problems`` lists every missing or invalid item."""

    def __init__(self, found: list[AnswerProblem]):
        self.problems = found
        super().__init__(f"{len(found)} answers are missing or need changing")


def submit_audit(
    audit: Audit,
    *,
    expected_version: int,
    by: User,
    now: datetime,
    rng: random.Random,
    rules: ModerationRules,
    base_url: str,
) -> Audit:
    """Lock the audit: write its grades for reporting, raise the drafted actions, complete the
    assignment and run the after-submission steps (flushes; the caller commits).

    Refused with ``NotReady`` while anything is missing, ``StaleAudit`` from an old page.
    """
    if audit.auditor_id != by.id:
        raise AuditError("Only the auditor can submit this audit")
    require_draft(audit)
    if expected_version != audit.version:
        raise StaleAudit(audit, expected_version)
    found = problems(audit)
    if found:
        raise NotReady(found)
    # Claim the audit first: a second submit (double click, another tab) finds no draft.
    claimed = db.session.execute(
        update(Audit)
        .where(Audit.id == audit.id, Audit.version == expected_version, Audit.status == "draft")
        .values(status="submitted", version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(audit)
    if claimed.rowcount != 1:
        require_draft(audit)
        raise StaleAudit(audit, expected_version)

    toolkit = definition(audit)
    answers = audit_answers.normalise(audit.answers)
    graded = audit_answers.to_grading(answers)
    suggestion = suggest_for_answers(toolkit, graded)
    _write_report_rows(audit, toolkit, answers)
    raised = _raise_drafted_actions(audit, answers, by=by, now=now, base_url=base_url)

    overall = answers["overall"]
    audit.answers = answers
    audit.overall_grade = overall["grade"]
    audit.overall_rationale = overall["rationale"]
    audit.difference_reason = overall["difference_reason"] or None
    audit.suggested_grade = suggestion.grade
    audit.submitted_at = now
    audit.saved_at = now
    audit.assignment.status = "completed"
    audit.assignment.completed_on = now.date()
    db.session.add(
        AuditEvent(
            audit_id=audit.id,
            at=now,
            by_id=by.id,
            kind="submitted",
            detail={
                "overall_grade": audit.overall_grade,
                "suggested_grade": suggestion.grade,
                "actions_raised": raised,
            },
        )
    )
    db.session.flush()
    audit_hooks.after_submission(audit, by=by, now=now, rng=rng, rules=rules, base_url=base_url)
    return audit


def _write_report_rows(audit: Audit, toolkit, answers: dict) -> None:
    # A reopened audit is submitted again: its earlier rows are replaced, never doubled.
    db.session.execute(delete(AuditSectionGrade).where(AuditSectionGrade.audit_id == audit.id))
    db.session.execute(
        delete(AuditComplianceAnswer).where(AuditComplianceAnswer.audit_id == audit.id)
    )
    for section in toolkit.sections:
        answer = answers["sections"].get(section.key, audit_answers.empty_section())
        db.session.add(
            AuditSectionGrade(
                audit_id=audit.id,
                section_key=section.key,
                grade=None if answer["not_applicable"] else answer["grade"],
                not_applicable=bool(answer["not_applicable"]),
                safety_critical=section.safety_critical,
            )
        )
    for question in toolkit.compliance:
        db.session.add(
            AuditComplianceAnswer(
                audit_id=audit.id,
                question_key=question.key,
                answer=answers["compliance"][question.key],
            )
        )


def _raise_drafted_actions(audit: Audit, answers: dict, *, by, now, base_url) -> list[int]:
    owners = owners_for(audit.case)
    raised = []
    for drafted in answers["actions"]:
        if drafted.get("action_id"):
            continue  # raised at an earlier submission, before a reopen
        action = raise_action(
            audit.case,
            description=drafted["description"],
            by=by,
            now=now,
            base_url=base_url,
            source="audit",
            audit_id=audit.id,
            section_key=drafted["section"],
            owner=owners[drafted["owner"]],
            priority=drafted["priority"],
            due_in_working_days=int(drafted["due_in_working_days"]),
        )
        drafted["action_id"] = action.id
        raised.append(action.id)
    return raised


def reopen_audit(audit: Audit, *, reason: str, by: User, now: datetime) -> Audit:
    """Unlock a submitted audit for its auditor (the QA lead only); the reason is logged."""
    if "qa_admin" not in by.roles:
        raise AuditError("Only the QA lead can reopen a submitted audit")
    if audit.status != "submitted":
        raise AuditError(
            "Only a submitted audit can be reopened"
            + (" (this one is still a draft)" if audit.status == "draft" else "")
        )
    reason = (reason or "").strip()
    if not reason:
        raise AuditError("Enter why the audit is being reopened")
    if len(reason) > MAX_REOPEN_REASON:
        raise AuditError(f"The reason is too long: the most is {MAX_REOPEN_REASON:,} characters")
    audit.status = "draft"
    audit.version += 1
    audit.assignment.status = "in_progress"
    audit.assignment.completed_on = None
    db.session.add(
        AuditEvent(
            audit_id=audit.id, at=now, by_id=by.id, kind="reopened", detail={"reason": reason}
        )
    )
    db.session.flush()
    return audit
