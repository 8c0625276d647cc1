"""Blind double grading, the moderated grade, disputes and the head of service's decision.

The order is enforced here, not in the page: the auditor's grades are handed out only for a
moderation whose blind grades are recorded (``auditor_grades`` refuses otherwise), and blind
grades once recorded never change.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from qa_app.clock import to_local
from qa_app.extensions import db
from qa_app.models import (
    Audit,
    AuditEvent,
    AuditSectionGrade,
    Dispute,
    Moderation,
    ModerationSectionGrade,
    User,
)
from qa_app.models.vocab import GRADES
from qa_app.permissions import is_council_wide
from qa_app.services.moderation import escalation
from qa_app.services.moderation.rules import ModerationRules
from qa_app.services.moderation.selection import ModerationError, locality_head
from qa_app.services.platform.calendar import add_working_days
from qa_app.services.platform.notifications import Message, notify
from qa_app.textnorm import clean_text


@dataclass(frozen=True)
class SectionView:
    key: str
    title: str
    may_be_not_applicable: bool


def sections_of(moderation: Moderation) -> list[SectionView]:
    """The toolkit sections the moderator grades, in toolkit order (no auditor content)."""
    definition = moderation.audit.toolkit_version.definition
    return [SectionView(s.key, s.title, s.may_be_not_applicable) for s in definition.sections]


MAX_TEXT = 5_000


def _text(value, what: str) -> str:
    """Cleaned free text of at most MAX_TEXT characters (the forms post anything)."""
    text = clean_text(value if isinstance(value, str) else "")
    if len(text) > MAX_TEXT:
        raise ModerationError(f"Keep {what} to {MAX_TEXT:,} characters (it is {len(text):,})")
    return text


def _grade(value, where: str, *, allow_na: bool = False) -> int | None:
    if allow_na and value == "na":
        return None
    try:
        grade = int(value)
    except (TypeError, ValueError):
        grade = 0
    if grade not in GRADES:
        raise ModerationError(f"Choose a grade for {where}")
    return grade


def _require_moderator(moderation: Moderation, by: User) -> None:
    if moderation.moderator_id != by.id:
        raise ModerationError("Only the assigned moderator can record this moderation")


def record_blind_grades(
    moderation: Moderation,
    *,
    sections: dict[str, str | None],
    overall: str | None,
    rationale: str,
    by: User,
    now: datetime,
) -> Moderation:
    """The moderator's own grades, before seeing the auditor's. *sections* maps each section
    key to "1"-"4" or "na" (where the section may be not applicable)."""
    _require_moderator(moderation, by)
    if moderation.blind_done:
        raise ModerationError("Your blind grades are already recorded and cannot change")
    rows = []
    for section in sections_of(moderation):
        value = sections.get(section.key)
        grade = _grade(value, f"“{section.title}”", allow_na=section.may_be_not_applicable)
        rows.append(ModerationSectionGrade(section_key=section.key, blind_grade=grade))
    overall_grade = _grade(overall, "the overall grade")
    rationale = _text(rationale, "the reason for your overall grade")
    if not rationale:
        raise ModerationError("Give the reason for your overall grade")
    moderation.sections = rows
    moderation.blind_overall_grade = overall_grade
    moderation.blind_rationale = rationale
    moderation.blind_at = now
    moderation.status = "compared"
    db.session.add(
        AuditEvent(
            audit_id=moderation.audit_id,
            at=now,
            by_id=by.id,
            kind="moderation_blind_graded",
            detail={"overall": overall_grade},
        )
    )
    db.session.flush()
    return moderation


def auditor_grades(moderation: Moderation) -> dict[str, int | None]:
    """The auditor's section grades (and "overall"), only once the blind grades are in."""
    if not moderation.blind_done:
        raise ModerationError("Record your own grades before you see the auditor's")
    rows = db.session.execute(
        select(AuditSectionGrade.section_key, AuditSectionGrade.grade).where(
            AuditSectionGrade.audit_id == moderation.audit_id
        )
    ).all()
    return dict(rows) | {"overall": moderation.audit.overall_grade}


def record_moderated_grades(
    moderation: Moderation,
    *,
    grades: dict[str, str | None],
    reasons: dict[str, str],
    by: User,
    now: datetime,
    rules: ModerationRules,
    base_url: str,
) -> Moderation:
    """The moderated grades (keys: section keys and "overall"), with a reason for each that
    differs from the auditor's. The overall becomes the audit's reported grade."""
    _require_moderator(moderation, by)
    if moderation.status != "compared":
        raise ModerationError(
            "Record your blind grades first"
            if not moderation.blind_done
            else "This moderation is already complete"
        )
    original = auditor_grades(moderation)
    titles = {s.key: s for s in sections_of(moderation)}
    decided = []  # checked in full before anything changes
    for row in moderation.sections:
        section = titles[row.section_key]
        final = _grade(
            grades.get(row.section_key),
            f"“{section.title}”",
            allow_na=section.may_be_not_applicable,
        )
        changed = final != original.get(row.section_key)
        reason = _text(reasons.get(row.section_key), f"the reason for “{section.title}”")
        if changed and not reason:
            raise ModerationError(f"Give the reason for changing the grade of “{section.title}”")
        decided.append((row, final, reason if changed else None))
    final_overall = _grade(grades.get("overall"), "the overall grade")
    overall_reason = _text(reasons.get("overall"), "the reason for the overall grade")
    if final_overall != original["overall"] and not overall_reason:
        raise ModerationError("Give the reason for changing the overall grade")
    changes = {}
    for row, final, reason in decided:
        row.final_grade, row.change_reason = final, reason
        if reason:
            changes[row.section_key] = [original.get(row.section_key), final]
    moderation.final_overall_grade = final_overall
    moderation.final_overall_reason = (
        overall_reason if final_overall != original["overall"] else None
    )
    if moderation.final_overall_reason:
        changes["overall"] = [original["overall"], final_overall]
    moderation.completed_at = now
    moderation.status = "completed"
    audit = moderation.audit
    audit.moderated_grade = final_overall
    if audit.status == "submitted":
        audit.status = "moderated"
    db.session.add(
        AuditEvent(
            audit_id=audit.id,
            at=now,
            by_id=by.id,
            kind="moderated",
            detail={"overall": [original["overall"], final_overall], "changes": changes},
        )
    )
    db.session.flush()
    dispute_by = add_working_days(now.date(), rules.dispute_working_days)
    notify(
        audit.auditor,
        Message(
            kind="audit_moderated",
            subject=f"Audit {audit.id} has been moderated",
            body=(
                f"The moderated overall grade is {GRADES[final_overall]}. If you disagree you "
                f"may dispute it with a reason by {dispute_by:%d %B %Y}."
            ),
            link=f"/moderation/{moderation.id}/result",
        ),
        dedupe_key=f"moderated-{moderation.id}",
        now=now,
        base_url=base_url,
    )
    escalation.after_moderation(audit, now=now, rules=rules, base_url=base_url)
    return moderation


def dispute_deadline(moderation: Moderation, rules: ModerationRules):
    return add_working_days(moderation.completed_at.date(), rules.dispute_working_days)


def may_dispute(moderation: Moderation, user: User, *, today: date, rules: ModerationRules) -> bool:
    """Whether *user* may still dispute: the auditor, once, within the dispute window."""
    return (
        user.id == moderation.audit.auditor_id
        and moderation.status == "completed"
        and moderation.dispute is None
        and today <= dispute_deadline(moderation, rules)
    )


def raise_dispute(
    moderation: Moderation,
    *,
    reason: str,
    by: User,
    now: datetime,
    rules: ModerationRules,
    base_url: str,
) -> Dispute:
    """The auditor disputes the moderated grades (once, within the dispute window). The head
    of service of the case's locality decides, or the DCS where that head is the moderator."""
    audit = moderation.audit
    if by.id != audit.auditor_id:
        raise ModerationError("Only the auditor can dispute a moderation")
    if moderation.status != "completed":
        raise ModerationError("The moderation is not complete yet")
    if moderation.dispute is not None:
        raise ModerationError("This moderation has already been disputed")
    deadline = dispute_deadline(moderation, rules)
    if to_local(now).date() > deadline:
        raise ModerationError(f"Disputes had to be raised by {deadline:%d %B %Y}")
    reason = clean_text(reason or "")
    if not reason:
        raise ModerationError("Give the reason for your dispute")
    decider = locality_head(audit.case)
    if decider is None or decider.id == moderation.moderator_id:
        # No one may decide about their own moderation: the DCS decides instead.
        decider = next(iter(escalation.directors()), None)
    dispute = Dispute(
        moderation_id=moderation.id,
        raised_by_id=by.id,
        raised_at=now,
        reason=reason,
        decider_id=decider.id if decider else None,
        status="pending",
    )
    db.session.add(dispute)
    db.session.add(AuditEvent(audit_id=audit.id, at=now, by_id=by.id, kind="disputed", detail={}))
    db.session.flush()
    if decider is not None:
        notify(
            decider,
            Message(
                kind="moderation_disputed",
                subject=f"Moderation of audit {audit.id} disputed: your decision is needed",
                body="An auditor has disputed a moderated grade in your locality.",
                link=f"/moderation/disputes/{dispute.id}",
            ),
            dedupe_key=f"dispute-{dispute.id}",
            now=now,
            base_url=base_url,
        )
    return dispute


def decide_dispute(
    dispute: Dispute,
    *,
    upheld: bool,
    grade: str | None,
    note: str,
    by: User,
    now: datetime,
    rules: ModerationRules,
    base_url: str,
) -> Dispute:
    """The head of service decides: upheld (the grade they choose is reported) or rejected."""
    if dispute.status != "pending":
        raise ModerationError("This dispute has already been decided")
    if dispute.decider_id != by.id:
        raise ModerationError("Only the head of service named on the dispute can decide it")
    note = clean_text(note or "")
    if not note:
        raise ModerationError("Give the reason for your decision")
    audit = dispute.moderation.audit
    decided = _grade(grade, "the grade to report") if upheld else None
    dispute.status = "upheld" if upheld else "rejected"
    dispute.decided_grade = decided
    dispute.decided_by_id = by.id
    dispute.decided_at = now
    dispute.decision_note = note
    before = audit.moderated_grade
    if upheld:
        audit.moderated_grade = decided
    db.session.add(
        AuditEvent(
            audit_id=audit.id,
            at=now,
            by_id=by.id,
            kind="dispute_decided",
            detail={"status": dispute.status, "grade": [before, audit.moderated_grade]},
        )
    )
    db.session.flush()
    for person in (audit.auditor, dispute.moderation.moderator):
        if person is None:
            continue
        notify(
            person,
            Message(
                kind="dispute_decided",
                subject=f"Dispute about audit {audit.id} {dispute.status}",
                body=f"The head of service has {dispute.status} the dispute.",
                link=f"/moderation/{dispute.moderation_id}/result",
            ),
            dedupe_key=f"dispute-decided-{dispute.id}-{person.id}",
            now=now,
            base_url=base_url,
        )
    if upheld:
        escalation.after_moderation(audit, now=now, rules=rules, base_url=base_url)
    return dispute


def queue_for(user: User) -> list[Moderation]:
    """The moderator's open moderations, soonest due first."""
    return list(
        db.session.scalars(
            select(Moderation)
            .where(
                Moderation.moderator_id == user.id, Moderation.status.in_(("assigned", "compared"))
            )
            .order_by(Moderation.due_on, Moderation.id)
        )
    )


def moderation_of(audit: Audit) -> Moderation | None:
    return db.session.scalar(select(Moderation).where(Moderation.audit_id == audit.id))


def may_see_result(moderation: Moderation, user: User) -> bool:
    """The auditor, the moderator, council-wide roles and the case's head of service may read
    a moderation's result."""
    audit = moderation.audit
    if user.id in (audit.auditor_id, moderation.moderator_id) or is_council_wide(user):
        return True
    head = locality_head(audit.case)
    return head is not None and head.id == user.id


def disputes_for(user: User, limit: int = 200) -> list[Dispute]:
    """The disputes *user* decides, pending first, newest first."""
    return list(
        db.session.scalars(
            select(Dispute)
            .where(Dispute.decider_id == user.id)
            .order_by(Dispute.status != "pending", Dispute.raised_at.desc())
            .limit(limit)
        )
    )


def dispute_page(dispute: Dispute) -> dict:
    """What the head of service sees to decide *dispute*: both sets of grades, section by
    section (the blind ones are recorded by now, so the auditor's may be shown)."""
    moderation = dispute.moderation
    return {
        "dispute": dispute,
        "moderation": moderation,
        "audit": moderation.audit,
        "auditor": auditor_grades(moderation),
        "sections": sections_of(moderation),
        "grades": GRADES,
    }
