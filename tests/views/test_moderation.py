"""The moderation journey: blind grades, comparison, moderated grades, dispute, decision."""

import random
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AuditEvent, AuditSectionGrade, Moderation, Notification
from qa_app.services.moderation import selection as sel
from qa_app.services.moderation.rules import ModerationRules
from tests.support.factories import (
    CaseFactory,
    LocalityFactory,
    TeamFactory,
    make_submitted_audit,
    make_user,
)

SECRET_RATIONALE = "AUDITOR-RATIONALE-SENTINEL"
SECRET_EVIDENCE = "AUDITOR-EVIDENCE-SENTINEL"


@pytest.fixture
def world(app_ctx):
    north = LocalityFactory(name="North")
    team = TeamFactory(locality=north)
    moderator = make_user("independent_auditor")
    auditor = make_user("advanced_practitioner")
    audit = make_submitted_audit(
        grade=4,
        sections={"assessment": 4, "planning": 3, "strategy_discussions": None},
        auditor=auditor,
        case=CaseFactory(team=team),
    )
    audit.overall_rationale = SECRET_RATIONALE
    audit.answers = {"sections": {"assessment": {"grade": 4, "evidence": SECRET_EVIDENCE}}}
    db.session.commit()
    moderation = sel.select_on_submission(
        audit,
        now=datetime(2026, 11, 23, 9),
        rng=random.Random(1),
        rules=ModerationRules(),
        base_url="http://localhost",
    )
    db.session.commit()
    assert moderation.moderator_id == moderator.id
    hos = make_user("head_of_service", locality=north)  # after: not in the moderator pool yet
    return {
        "audit": audit,
        "moderation": moderation,
        "moderator": moderator,
        "auditor": auditor,
        "hos": hos,
    }


def _page_and_its_requests(client, url):
    """The page and every same-site GET it references (links, assets, forms' GET targets)."""
    page = client.get(url)
    bodies = [page.get_data(as_text=True)]
    for ref in sorted(set(re.findall(r'(?:href|src)="(/[^"]*)"', bodies[0]))):
        bodies.append(client.get(ref).get_data(as_text=True))
    return page, "\n".join(bodies)


def _set_auditor_grades(audit, overall, section):
    audit.overall_grade = overall
    for row in db.session.scalars(
        select(AuditSectionGrade).where(AuditSectionGrade.audit_id == audit.id)
    ):
        row.grade = section if row.grade is not None else None
    db.session.commit()


def test_the_blind_page_does_not_depend_on_the_auditors_grades(world, client, auth):
    auth.login(world["moderator"])
    url = f"/moderation/{world['moderation'].id}"
    page, everything = _page_and_its_requests(client, url)
    assert page.status_code == 200
    assert "Your grades" in everything
    assert SECRET_RATIONALE not in everything and SECRET_EVIDENCE not in everything
    assert "Auditor's grade" not in everything
    # Not even a hint: the queue does not say the audit was chosen for being Inadequate.
    queue = client.get("/moderation/").get_data(as_text=True)
    assert f"Audit {world['audit'].id}" in queue and "Inadequate" not in queue
    # Change every grade the auditor gave: the page and what it loads must not change.
    _set_auditor_grades(world["audit"], overall=1, section=1)
    _, again = _page_and_its_requests(client, url)
    strip = lambda html: re.sub(r'name="csrf_token" value="[^"]*"', "", html)  # noqa: E731
    assert strip(again) == strip(everything)
    # The result page, which shows grades, is closed until the moderation is complete.
    assert client.get(f"/moderation/{world['moderation'].id}/result").status_code == 404


def test_blind_then_compare_then_moderated(world, client, auth, app):
    moderation_id = world["moderation"].id
    auth.login(world["moderator"])
    bad = client.post(
        f"/moderation/{moderation_id}/blind",
        data={"section-assessment": "3", "section-planning": "3", "overall": "3"},
    )
    assert bad.status_code == 400
    assert "Choose a grade for “Strategy discussions”" in bad.get_data(as_text=True)
    assert db.session.get(Moderation, moderation_id).blind_at is None
    ok = client.post(
        f"/moderation/{moderation_id}/blind",
        data={
            "section-assessment": "3",
            "section-planning": "3",
            "section-strategy_discussions": "na",
            "overall": "3",
            "rationale": "Risks were assessed, plans drift.",
        },
    )
    assert ok.status_code == 302
    compare = client.get(f"/moderation/{moderation_id}").get_data(as_text=True)
    assert SECRET_RATIONALE in compare and SECRET_EVIDENCE in compare
    # Blind grades cannot be changed afterwards.
    again = client.post(f"/moderation/{moderation_id}/blind", data={"overall": "1"})
    assert "cannot change" in again.get_data(as_text=True)
    final = {
        "final-assessment": "3",
        "final-planning": "3",
        "final-strategy_discussions": "na",
        "final-overall": "3",
    }
    missing = client.post(f"/moderation/{moderation_id}/final", data=final)
    assert missing.status_code == 400
    assert "Give the reason for changing the grade of “Assessment”" in missing.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert world["audit"].moderated_grade is None
    done = client.post(
        f"/moderation/{moderation_id}/final",
        data=final | {"reason-assessment": "Safety plan in place", "reason-overall": "Not unsafe"},
    )
    assert done.status_code == 302
    db.session.expire_all()
    audit = world["audit"]
    assert (audit.overall_grade, audit.moderated_grade, audit.reported_grade) == (4, 3, 3)
    assert audit.status == "moderated"
    moderation = db.session.get(Moderation, moderation_id)
    assert moderation.blind_overall_grade == 3
    kinds = list(db.session.scalars(select(AuditEvent.kind).where(AuditEvent.audit_id == audit.id)))
    assert "moderated" in kinds and "moderation_blind_graded" in kinds
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == world["auditor"].id, Notification.kind == "audit_moderated"
        )
    )
    assert note is not None


@pytest.mark.clock("2026-11-25T10:00")
def test_dispute_and_the_head_of_service_decides(world, client, auth):
    from qa_app.services.moderation import decisions as service  # noqa: PLC0415

    moderation = world["moderation"]
    now = datetime(2026, 11, 24, 9)
    service.record_blind_grades(
        moderation,
        sections={"assessment": "3", "planning": "3", "strategy_discussions": "na"},
        overall="3",
        rationale="ok",
        by=world["moderator"],
        now=now,
    )
    service.record_moderated_grades(
        moderation,
        grades={"assessment": "3", "planning": "3", "strategy_discussions": "na", "overall": "3"},
        reasons={"assessment": "x", "overall": "y"},
        by=world["moderator"],
        now=now,
        rules=ModerationRules(),
        base_url="http://localhost",
    )
    db.session.commit()
    auth.login(world["auditor"])
    page = client.get(f"/moderation/{moderation.id}/result").get_data(as_text=True)
    assert "Dispute the moderation" in page
    empty = client.post(f"/moderation/{moderation.id}/dispute", data={"reason": " "})
    assert empty.status_code == 302
    assert moderation.dispute is None
    client.post(f"/moderation/{moderation.id}/dispute", data={"reason": "Risk was not managed"})
    db.session.expire_all()
    dispute = db.session.get(Moderation, moderation.id).dispute
    assert dispute.decider_id == world["hos"].id
    auth.login(world["hos"])
    no_note = client.post(f"/moderation/disputes/{dispute.id}", data={"decision": "uphold"})
    assert no_note.status_code == 400
    assert "Give the reason for your decision" in no_note.get_data(as_text=True)
    client.post(
        f"/moderation/disputes/{dispute.id}",
        data={"decision": "uphold", "grade": "4", "note": "The auditor was right"},
    )
    db.session.expire_all()
    audit = world["audit"]
    assert audit.reported_grade == 4 and audit.overall_grade == 4
    kinds = list(db.session.scalars(select(AuditEvent.kind).where(AuditEvent.audit_id == audit.id)))
    assert {"moderated", "disputed", "dispute_decided"} <= set(kinds)


def test_only_the_moderator_sees_the_screen(world, client, auth):
    auth.login(make_user("independent_auditor"))
    assert client.get(f"/moderation/{world['moderation'].id}").status_code == 404
    auth.login(world["moderator"])
    queue = client.get("/moderation/").get_data(as_text=True)
    assert f"Audit {world['audit'].id}" in queue


def test_admin_adds_an_audit_and_bad_input_is_named(world, client, auth):
    auth.login(make_user("qa_admin"))
    bad = client.post("/moderation/all", data={"audit_id": "99999"})
    assert bad.status_code == 400 and "There is no audit 99999" in bad.get_data(as_text=True)
    other = make_submitted_audit(grade=2)
    assert client.post("/moderation/all", data={"audit_id": str(other.id)}).status_code == 302
    assert db.session.scalar(select(Moderation.reason).where(Moderation.audit_id == other.id)) == (
        "admin"
    )


def test_a_moderator_who_may_read_audits_cannot_open_this_one_before_grading_it(
    world, client, auth
):
    # The head of service of the case's locality may normally read its audits; as its
    # moderator they may not, until their blind grades are recorded.
    moderation = world["moderation"]
    moderation.moderator_id = world["hos"].id
    db.session.commit()
    auth.login(world["hos"])
    audit_id = world["audit"].id
    assert client.get(f"/audits/{audit_id}").status_code == 404
    assert client.get(f"/audits/{audit_id}/audit.pdf").status_code == 404
    moderation.blind_at = datetime(2026, 11, 24, 10)
    db.session.commit()
    assert client.get(f"/audits/{audit_id}").status_code == 200


def test_lists_with_grades_hide_them_from_the_blind_moderator(world, client, auth):
    # The grade-trend drill-down and the API's audit rows show grades; the audit's moderator
    # (here the locality's head of service, who may see both) sees none until they have graded.
    moderation = world["moderation"]
    moderation.moderator_id = world["hos"].id
    db.session.commit()
    auth.login(world["hos"])
    audit_id = world["audit"].id

    def drill_row():
        page = client.get("/reports/dashboard?from=2026-11&to=2026-11").get_data(as_text=True)
        table = page[page.index('data-table="drill"') :]
        return table[: table.index("</tr>", table.index("<tbody"))]

    def api_row():
        rows = client.get("/api/v1/reports/2026-11/audits").get_json()["rows"]
        return next(r for r in rows if r["audit_id"] == audit_id)

    assert "Hidden until you have recorded your moderation grades" in drill_row()
    assert "Inadequate" not in drill_row()
    hidden = api_row()
    assert hidden["overall_grade_auditor"] is None and hidden["assessment"] is None
    assert hidden["child_id"]  # the row itself is still there
    moderation.blind_at = datetime(2026, 11, 24, 10)
    db.session.commit()
    assert "Inadequate" in drill_row()
    assert api_row()["overall_grade_auditor"] == 4 and api_row()["assessment"] == 4


def test_an_over_long_blind_rationale_is_refused_with_a_message(world, client, auth):
    moderation_id = world["moderation"].id
    auth.login(world["moderator"])
    data = {
        "section-assessment": "3",
        "section-planning": "3",
        "section-strategy_discussions": "na",
        "overall": "3",
        "rationale": "x" * 100_000,
    }
    refused = client.post(f"/moderation/{moderation_id}/blind", data=data)
    assert refused.status_code == 400
    assert "Keep the reason for your overall grade to 5,000 characters" in refused.get_data(
        as_text=True
    )
    assert db.session.get(Moderation, moderation_id).blind_at is None
