"""After submission: selection and escalation; moderation then confirms or withdraws the
tier 3 review."""

import random
from datetime import datetime

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Moderation, Notification, Tier3Review
from qa_app.services.audits.after_submit import after_submission
from qa_app.services.moderation import decisions as service
from qa_app.services.moderation.rules import ModerationRules
from qa_app.services.moderation.selection import ModerationError
from tests.support.factories import (
    CaseFactory,
    LocalityFactory,
    TeamFactory,
    make_submitted_audit,
    make_user,
)

NOW = datetime(2026, 11, 23, 10)


@pytest.fixture
def submitted(app_ctx):
    north = LocalityFactory(name="North")
    moderator = make_user("independent_auditor")
    audit = make_submitted_audit(grade=4, case=CaseFactory(team=TeamFactory(locality=north)))
    after_submission(
        audit,
        by=audit.auditor,
        now=NOW,
        rng=random.Random(1),
        rules=ModerationRules(),
        base_url="http://x",
    )
    db.session.commit()
    hos = make_user("head_of_service", locality=north)
    return audit, moderator, hos


def _moderate(audit, moderator, overall: str):
    moderation = db.session.scalar(select(Moderation).where(Moderation.audit_id == audit.id))
    grades = {"assessment": overall, "planning": overall, "strategy_discussions": overall}
    service.record_blind_grades(
        moderation, sections=grades, overall=overall, rationale="r", by=moderator, now=NOW
    )
    service.record_moderated_grades(
        moderation,
        grades=grades | {"overall": overall},
        reasons=dict.fromkeys([*grades, "overall"], "seen on file"),
        by=moderator,
        now=NOW,
        rules=ModerationRules(),
        base_url="http://x",
    )
    db.session.commit()
    return moderation


def test_moderated_to_requires_improvement_withdraws_the_review(submitted):
    audit, moderator, _ = submitted
    review = db.session.scalar(select(Tier3Review))
    assert review.status == "open" and review.confirmed is None
    _moderate(audit, moderator, "3")
    db.session.refresh(review)
    assert review.status == "withdrawn" and review.confirmed is False
    assert audit.overall_grade == 4 and audit.reported_grade == 3


def test_confirmed_when_moderation_agrees(submitted):
    audit, moderator, _ = submitted
    _moderate(audit, moderator, "4")
    review = db.session.scalar(select(Tier3Review))
    assert review.status == "open" and review.confirmed is True


def test_blind_grades_refused_for_someone_else_and_nothing_changes(submitted):
    audit, _moderator, _ = submitted
    moderation = db.session.scalar(select(Moderation).where(Moderation.audit_id == audit.id))
    with pytest.raises(ModerationError, match="Only the assigned moderator"):
        service.record_blind_grades(
            moderation, sections={}, overall="3", rationale="r", by=make_user("psw"), now=NOW
        )
    with pytest.raises(ModerationError, match="before you see the auditor's"):
        service.auditor_grades(moderation)
    assert moderation.blind_at is None


def test_dispute_window_is_five_working_days(submitted):
    audit, moderator, _ = submitted
    moderation = _moderate(audit, moderator, "3")
    late = datetime(2026, 12, 1, 9)  # Monday 23rd + 5 working days = Monday 30th
    with pytest.raises(ModerationError, match="Disputes had to be raised by 30 November 2026"):
        service.raise_dispute(
            moderation,
            reason="No",
            by=audit.auditor,
            now=late,
            rules=ModerationRules(),
            base_url="http://x",
        )
    assert moderation.dispute is None
    told = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == audit.auditor_id)
    )
    assert "audit_moderated" in set(told)


def test_a_head_of_service_never_decides_about_their_own_moderation(app_ctx):
    north = LocalityFactory(name="North")
    hos = make_user("head_of_service", locality=north)
    dcs = make_user("dcs")
    # Outstanding: always moderated, and (unlike Inadequate) the locality head may moderate it.
    audit = make_submitted_audit(grade=1, case=CaseFactory(team=TeamFactory(locality=north)))
    after_submission(
        audit,
        by=audit.auditor,
        now=NOW,
        rng=random.Random(1),
        rules=ModerationRules(),
        base_url="http://x",
    )
    moderation = db.session.scalar(select(Moderation).where(Moderation.audit_id == audit.id))
    assert moderation.moderator_id == hos.id  # the only one in the pool
    _moderate(audit, hos, "3")
    dispute = service.raise_dispute(
        moderation,
        reason="I saw risk",
        by=audit.auditor,
        now=NOW,
        rules=ModerationRules(),
        base_url="http://x",
    )
    assert dispute.decider_id == dcs.id


@pytest.mark.parametrize(("share", "moderated"), [(0.0, False), (1.0, True)])
def test_after_submission_follows_the_rules_it_is_given(app_ctx, share, moderated):
    make_user("independent_auditor")
    audit = make_submitted_audit(grade=3)  # neither Inadequate nor Outstanding: the random share
    rules = ModerationRules(random_share=share)
    after_submission(
        audit, by=audit.auditor, now=NOW, rng=random.Random(1), rules=rules, base_url="http://x"
    )
    db.session.commit()
    found = db.session.scalar(select(Moderation).where(Moderation.audit_id == audit.id))
    assert (found is not None) is moderated
