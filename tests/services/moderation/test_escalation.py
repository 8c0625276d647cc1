"""Escalation triggers fire once each, to the right senior manager."""

import threading
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import EscalationTrigger, Notification, Tier3Review
from qa_app.services.moderation import escalation
from qa_app.services.moderation.rules import ModerationRules
from tests.support.factories import (
    CaseFactory,
    LocalityFactory,
    TeamFactory,
    make_submitted_audit,
    make_user,
)

NOW = datetime(2026, 11, 23, 10, 0)
RULES = ModerationRules()


@pytest.fixture
def people(app_ctx):
    north = LocalityFactory(name="North")
    team = TeamFactory(locality=north)
    return {
        "team": team,
        "hos": make_user("head_of_service", locality=north),
        "other_hos": make_user("head_of_service", locality=LocalityFactory(name="East")),
        "dcs": make_user("dcs"),
    }


def check(audit):
    reviews = escalation.check_audit(audit, now=NOW, rules=RULES, base_url="http://x")
    db.session.commit()
    return reviews


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_inadequate_goes_to_the_locality_head_once_and_the_dcs_is_told(people):
    audit = make_submitted_audit(grade=4, case=CaseFactory(team=people["team"]))
    (review,) = check(audit)
    assert review.reviewer_id == people["hos"].id
    assert review.reviewer_role == "head_of_service"
    assert review.due_on == date(2026, 11, 30)  # 5 working days after Monday 23rd
    told = set(db.session.scalars(select(Notification.user_id)))
    assert told == {people["hos"].id, people["dcs"].id}
    assert check(audit) == [] and check(audit) == []
    assert count(Tier3Review) == 1 and count(EscalationTrigger) == 1
    assert count(Notification) == 2


def test_a_better_grade_escalates_nothing(people):
    assert check(make_submitted_audit(grade=3, case=CaseFactory(team=people["team"]))) == []
    assert count(EscalationTrigger) == 0


def test_two_consecutive_inadequate_audits_of_a_case_go_to_the_dcs(people):
    case = CaseFactory(team=people["team"])
    first = make_submitted_audit(grade=4, case=case, month="2026-09")
    second = make_submitted_audit(grade=4, case=case, month="2026-11")
    check(first)
    reviews = check(second)
    kinds = {r.trigger.kind: r for r in reviews}
    assert set(kinds) == {"inadequate_audit", "repeat_inadequate"}
    assert kinds["repeat_inadequate"].reviewer_id == people["dcs"].id
    assert kinds["repeat_inadequate"].trigger.detail["previous_audit_id"] == first.id
    check(second)
    assert count(EscalationTrigger) == 3


def test_not_consecutive_when_a_better_audit_came_between(people):
    case = CaseFactory(team=people["team"])
    make_submitted_audit(grade=4, case=case, month="2026-08")
    make_submitted_audit(grade=3, case=case, month="2026-09")
    reviews = check(make_submitted_audit(grade=4, case=case, month="2026-11"))
    assert [r.trigger.kind for r in reviews] == ["inadequate_audit"]


def test_team_month_threshold(people):
    team = people["team"]
    for grade in (4, 3, 3):
        make_submitted_audit(grade=grade, case=CaseFactory(team=team))
    assert escalation.check_team_month("2026-11", now=NOW, rules=RULES, base_url="x") == []
    make_submitted_audit(grade=2, case=CaseFactory(team=team))  # 1 of 4 = 25%
    run = escalation.check_team_month
    (review,) = run("2026-11", now=NOW, rules=RULES, base_url="x")
    assert review.reviewer_role == "dcs" and review.trigger.detail == {"audits": 4, "inadequate": 1}
    assert run("2026-11", now=NOW, rules=RULES, base_url="x") == []
    strict = ModerationRules(team_inadequate_share=0.5)
    assert run("2026-10", now=NOW, rules=strict, base_url="x") == []
    db.session.commit()
    assert count(Tier3Review) == 1


@pytest.mark.postgres_only
def test_concurrent_checks_fire_once(people, app):
    team = people["team"]
    for grade in (4, 4, 3, 3):
        make_submitted_audit(grade=grade, case=CaseFactory(team=team))
    db.session.remove()
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                escalation.check_team_month("2026-11", now=NOW, rules=RULES, base_url="x")
                db.session.commit()
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert count(EscalationTrigger) == 1 and count(Tier3Review) == 1


def test_the_daily_job_fires_the_team_trigger_once(people):
    from workers import jobs  # noqa: PLC0415

    for grade in (4, 4, 3, 3):
        make_submitted_audit(grade=grade, case=CaseFactory(team=people["team"]), month="2026-10")
    assert jobs.check_team_escalations("2026-11-02") == 1
    assert jobs.check_team_escalations("2026-11-03") == 0
    assert count(Tier3Review) == 1
