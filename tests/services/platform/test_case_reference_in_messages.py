"""One reference for a case (issue 15): every notification and email about a case names it as
the case page does, "Child 02891558", never by the internal case number, and emails carry
nothing more personal than that reference.

The scenario drives the real services that tell people about a case (raising, reopening and
reassigning an action, the whole chase ladder, a safeguarding concern, reflections, escalation,
publishing a sample, reassigning an audit, asking for and deciding an extension) and then reads
every notification and outbox email they wrote."""

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Child, EmailMessage, Notification, User
from qa_app.services.actions import lifecycle
from qa_app.services.actions.chase import run_chase, rung_dates
from qa_app.services.actions.raising import raise_action
from qa_app.services.audits import reflections, safeguarding
from qa_app.services.moderation import escalation
from qa_app.services.moderation.rules import ModerationRules
from qa_app.services.sampling import adjust, extension_requests
from tests.support.cycles import published_cycle
from tests.support.factories import CaseFactory, make_submitted_audit, make_user
from tests.support.org import make_org, org_action

NOW = datetime(2026, 11, 23, 10, 0)
URL = "https://qa.council.test"
DUE = date(2026, 12, 21)
DOB = date(2015, 6, 1)  # every factory child's date of birth
# Every kind of notification that is about one case: each must name it by its reference.
CASE_KINDS = {
    "action_raised",
    "action_reopened",
    "action_reassigned",
    "action_due_soon",
    "action_due_today",
    "action_overdue_owner",
    "action_overdue_manager",
    "action_head_of_service",
    "action_dcs_psw",
    "safeguarding_concern",
    "audit_submitted",
    "tier3_review",
    "tier3_informed",
    "audits_allocated",
    "audit_assigned",
    "audit_reassigned",
    "extension_requested",
    "extension_decided",
}
INTERNAL_NUMBER = re.compile(r"\bcase\s*(?:no\.?|number|#)?\s*\d+", re.IGNORECASE)
REFERENCE = re.compile(r"\bChild (\S+?)(?=[\s:,.'\u2019)]|$)")


def tell_everything() -> None:
    """Every case-level notification, written by the services that write them."""
    items = published_cycle()
    org = make_org()
    raise_action(
        CaseFactory(team=org.team, worker=org.worker),
        description="Chronology missing for Jayden's move",
        by=org.auditor,
        now=NOW,
        base_url=URL,
    )
    # Routine chase reminders are grouped into one daily summary per person (no case in it);
    # a safeguarding action's reminders stay one notification each, naming the child.
    chased = org_action(org, due_on=DUE, description="Update the plan", priority="safeguarding")
    for day in sorted(set(rung_dates(DUE).values())):
        run_chase(day, now=NOW, base_url=URL)
        db.session.commit()
    done = org_action(org, status="completed", description="Done work")
    lifecycle.reopen(
        done, by=org.manager, now=NOW, reason="Not done", expected_version=done.version,
        base_url=URL,
    )  # fmt: skip
    colleague = make_user("social_worker", team=org.team, line_manager=org.manager)
    lifecycle.reassign(
        chased, by=org.manager, now=NOW, owner_id=colleague.id,
        expected_version=chased.version, base_url=URL,
    )  # fmt: skip
    audited = CaseFactory(team=org.team, worker=org.worker)
    audit = make_submitted_audit(grade=4, case=audited, month="2026-09")
    reflections.invite_reflections(audit, now=NOW, base_url=URL)
    safeguarding.raise_concern(
        audit, what="Bruising seen", why="Not explained", by=org.auditor, now=NOW, base_url=URL
    )
    again = make_submitted_audit(grade=4, case=audited, month="2026-10")
    escalation.check_audit(again, now=NOW, rules=ModerationRules(), base_url=URL)
    db.session.commit()
    assignment = items[0].assignment
    adjust.tell_reassigned(org.auditor, assignment, now=NOW, base_url=URL)
    request = extension_requests.request_extension(
        assignment, by=assignment.auditor, working_days=3, reason="Court week", now=NOW,
        base_url=URL,
    )  # fmt: skip
    extension_requests.decide_extension(
        request, by=assignment.auditor.line_manager, approve=True, note="Agreed with Sam Okoro",
        now=NOW, base_url=URL,
    )  # fmt: skip
    db.session.commit()


@pytest.fixture
def told(app_ctx):
    tell_everything()
    children = set(db.session.scalars(select(Child.la_child_id)))
    return (
        children,
        list(db.session.scalars(select(Notification))),
        list(db.session.scalars(select(EmailMessage))),
    )


def test_every_case_notification_names_the_child_as_the_case_page_does(told):
    children, notes, _ = told
    kinds = {n.kind for n in notes}
    assert kinds >= CASE_KINDS, f"not written by the scenario: {CASE_KINDS - kinds}"
    for note in notes:
        text = f"{note.subject}\n{note.body}"
        assert not INTERNAL_NUMBER.search(text), text
        named = REFERENCE.findall(text)
        assert set(named) <= children, text
        if note.kind in CASE_KINDS:
            assert named, f"{note.kind} does not name the child: {text}"


def test_emails_carry_nothing_more_personal_than_the_reference(told):
    children, notes, emails = told
    assert {e.kind for e in emails} >= {"single"}
    emailed_kinds = {n.kind for n in notes if n.email_id is not None}
    assert emailed_kinds >= CASE_KINDS - {"action_due_soon", "action_due_today"}, emailed_kinds
    names = {u.id: u.name for u in db.session.scalars(select(User))}
    personal = [
        f"{DOB:%-d %B %Y}", DOB.isoformat(), f"{DOB:%d/%m/%Y}",
        "Jayden", "Chronology", "Bruising", "Not explained", "Court week", "Sam Okoro",
    ]  # fmt: skip
    for email in emails:
        text = f"{email.subject}\n{email.body}"
        assert not INTERNAL_NUMBER.search(text), text
        assert set(REFERENCE.findall(text)) <= children, text
        for word in personal:
            assert word not in text, (word, text)
        # The only name an email holds is its recipient's own, in the greeting.
        greeting, _, rest = email.body.partition("\n")
        others = [n for uid, n in names.items() if uid != email.user_id]
        assert not [n for n in others if n in text], text
        assert names[email.user_id] not in email.subject + rest, text
        assert greeting.startswith("Dear ")


def test_the_names_and_notes_kept_from_emails_are_shown_in_the_service(told):
    _, notes, _ = told
    decided = next(n for n in notes if n.kind == "extension_decided")
    asked = next(n for n in notes if n.kind == "extension_requested")
    assert "Note: Agreed with Sam Okoro" in decided.body and "Decided by " in decided.body
    assert "Asked by " in asked.body
    email = db.session.get(EmailMessage, decided.email_id)
    assert "Sam Okoro" not in email.body and "Decided by" not in email.body


def test_no_message_is_written_from_the_internal_case_number():
    """A new notification written as f"case {case.id}" would fail here before it is shipped."""
    services = Path(__file__).resolve().parents[3] / "qa_app" / "services"
    written = re.compile(r"(?:subject|body)=\s*f?\"[^\"]*\{[^}]*case(?:_id|\.id)\b[^}]*\}")
    offenders = [
        f"{path.relative_to(services)}: {match.group(0)}"
        for path in services.rglob("*.py")
        for match in written.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
