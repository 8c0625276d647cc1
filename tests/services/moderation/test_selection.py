"""Selection for moderation and the choice of moderator."""

import random
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Absence, AuditEvent, Moderation, Notification
from qa_app.services.moderation import selection as sel
from qa_app.services.moderation.rules import ModerationRules
from tests.support.factories import CaseFactory, TeamFactory, make_submitted_audit, make_user

NOW = datetime(2026, 11, 23, 10, 0)
RULES = ModerationRules()


def choose(audit, seed=1, rules=RULES):
    return sel.select_on_submission(
        audit, now=NOW, rng=random.Random(seed), rules=rules, base_url="http://x"
    )


def test_inadequate_and_outstanding_are_always_moderated(app_ctx):
    make_user("independent_auditor")
    bad = make_submitted_audit(grade=4)
    best = make_submitted_audit(grade=1)
    nobody = ModerationRules(random_share=0.0)
    assert choose(bad, rules=nobody).reason == "inadequate"
    assert choose(best, rules=nobody).reason == "outstanding"
    assert choose(make_submitted_audit(grade=2), rules=nobody) is None


def test_random_share_is_seeded_and_near_the_rate(app_ctx):
    rng = random.Random(42)
    chosen = sum(
        sel.selection_reason(type("A", (), {"overall_grade": 3})(), rng=rng, rules=RULES)
        == "random"
        for _ in range(4000)
    )
    assert 340 <= chosen <= 460  # 10% of 4000, well inside 4 standard deviations
    again = [
        sel.selection_reason(
            type("A", (), {"overall_grade": 2})(), rng=random.Random(7), rules=RULES
        )
        for _ in range(3)
    ]
    assert len(set(again)) == 1


def test_moderation_is_due_in_ten_working_days_and_the_moderator_is_told(app_ctx):
    moderator = make_user("independent_auditor")
    audit = make_submitted_audit(grade=4)
    moderation = choose(audit)
    db.session.commit()
    assert moderation.moderator_id == moderator.id
    # Monday 23 November 2026 + 10 working days = Monday 7 December.
    assert moderation.due_on == date(2026, 12, 7)
    note = db.session.scalar(select(Notification).where(Notification.user_id == moderator.id))
    assert note.link == f"/moderation/{moderation.id}"
    events = db.session.scalars(select(AuditEvent.kind).where(AuditEvent.audit_id == audit.id))
    assert "selected_for_moderation" in list(events)


def test_hard_rules_never_the_auditor_nor_the_case_team_nor_absent(app_ctx):
    team = TeamFactory()
    make_user("qa_admin")
    auditor = make_user("senior_manager")
    make_user("senior_manager", team=team)  # in the case's team
    away = make_user("psw")
    db.session.add(
        Absence(user_id=away.id, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 30))
    )
    db.session.commit()
    audit = make_submitted_audit(grade=4, auditor=auditor, case=CaseFactory(team=team))
    moderation = sel.select_on_submission(
        audit, now=NOW, rng=random.Random(1), rules=RULES, base_url="http://x"
    )
    assert moderation.status == "unassigned"
    assert moderation.moderator_id is None
    assert moderation.unassigned_reason
    kinds = db.session.scalars(select(Notification.kind))
    assert list(kinds) == ["moderation_unassigned"]
    # qa_admin is told, and can give it to someone eligible (not the auditor).
    admin = make_user("qa_admin")
    with pytest.raises(sel.ModerationError, match="may not moderate"):
        sel.reassign(moderation, auditor, by=admin, now=NOW, base_url="http://x")
    outsider = make_user("independent_auditor")
    sel.reassign(moderation, outsider, by=admin, now=NOW, base_url="http://x")
    assert moderation.status == "assigned" and moderation.moderator_id == outsider.id


def test_the_locality_head_never_moderates_an_inadequate_audit_they_review_at_tier_3(app_ctx):
    team = TeamFactory()
    head = make_user("head_of_service", locality=team.locality)
    inadequate = make_submitted_audit(grade=4, case=CaseFactory(team=team))
    requires_improvement = make_submitted_audit(grade=3, case=CaseFactory(team=team))
    assert head not in sel.eligible_moderators(inadequate, today=NOW.date())
    assert head in sel.eligible_moderators(requires_improvement, today=NOW.date())
    assert choose(inadequate).status == "unassigned"  # nobody else in this pool


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), audits=st.integers(1, 8))
def test_load_is_balanced_and_rules_hold(app_ctx, seed, audits):
    db.session.query(Moderation).delete()
    db.session.commit()
    team = TeamFactory()
    pool = [make_user("independent_auditor") for _ in range(3)]
    insider = make_user("head_of_service", team=team)
    rng = random.Random(seed)
    given_to = []
    for _ in range(audits):
        audit = make_submitted_audit(grade=4, auditor=pool[0], case=CaseFactory(team=team))
        moderation = sel.select_on_submission(
            audit, now=NOW, rng=rng, rules=RULES, base_url="http://x"
        )
        given_to.append(moderation.moderator_id)
    assert pool[0].id not in given_to and insider.id not in given_to
    counts = [given_to.count(u.id) for u in pool[1:]]
    assert max(counts) - min(counts) <= 1


def test_admin_adds_any_submitted_audit_once(app_ctx):
    admin = make_user("qa_admin")
    make_user("psw")
    audit = make_submitted_audit(grade=2)
    moderation = sel.add_for_moderation(
        audit, by=admin, now=NOW, rng=random.Random(1), rules=RULES, base_url="http://x"
    )
    assert moderation.reason == "admin" and moderation.selected_by_id == admin.id
    with pytest.raises(sel.ModerationError, match=f"Audit {audit.id} is already"):
        sel.add_for_moderation(
            audit, by=admin, now=NOW, rng=random.Random(1), rules=RULES, base_url="http://x"
        )


def test_the_random_share_is_reproducible_from_the_cycle_seed(app_ctx):
    make_user("psw")
    audits = [make_submitted_audit(grade=3) for _ in range(30)]
    first = [sel.selection_reason(a, rng=sel.selection_rng(a), rules=RULES) for a in audits]
    again = [sel.selection_reason(a, rng=sel.selection_rng(a), rules=RULES) for a in audits]
    assert first == again
    # Whatever generator the submit passes in, the decision is the cycle seed's.
    chosen = [choose(a, seed=n) for n, a in enumerate(audits)]
    assert [m is not None for m in chosen] == [r == "random" for r in first]
