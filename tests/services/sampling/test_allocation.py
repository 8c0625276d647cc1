"""Allocation against the database: absences, exemptions, tier 3, hand changes, publishing."""

import random
from datetime import date, datetime

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Absence, Assignment, EmailMessage, Notification, SampleItem
from qa_app.services.sampling import allocation, cycles
from qa_app.services.sampling import draw as sampling
from qa_app.services.sampling import extension_requests as extensions
from qa_app.services.sampling.draw import SamplingError
from tests.support.factories import CaseFactory, LocalityFactory, TeamFactory, make_user
from workers import jobs

NOW = datetime(2026, 11, 2, 7)
BASE = "http://localhost"


@pytest.fixture
def council(app_ctx):
    north, east = LocalityFactory(name="North"), LocalityFactory(name="East")
    t_north, t_east = TeamFactory(name="N", locality=north), TeamFactory(name="E", locality=east)
    dcs = make_user("dcs")
    psw = make_user("psw")
    hos = make_user("head_of_service", locality=north)
    tm_n = make_user("team_manager", team=t_north, line_manager=hos)
    tm_e = make_user("team_manager", team=t_east)
    sw_n = make_user("social_worker", team=t_north, line_manager=tm_n)
    sw_e = make_user("social_worker", team=t_east, line_manager=tm_e)
    iro = make_user("iro")
    ap = make_user("advanced_practitioner", line_manager=psw)
    away = make_user("advanced_practitioner")
    exempt = make_user("senior_manager")
    pending_exempt = make_user("senior_manager")
    db.session.add_all(
        [
            Absence(user_id=away.id, starts_on=date(2026, 10, 20), ends_on=date(2026, 12, 5)),
            Absence(
                user_id=exempt.id,
                starts_on=date(2026, 11, 1),
                ends_on=date(2026, 11, 30),
                kind="exemption",
                approved_by_id=dcs.id,
            ),
            Absence(
                user_id=pending_exempt.id,
                starts_on=date(2026, 11, 1),
                ends_on=date(2026, 11, 30),
                kind="exemption",
            ),
        ]
    )
    for i in range(40):
        team, worker = (t_north, sw_n) if i % 2 else (t_east, sw_e)
        cohort = ["cp", "cla", "cin", "assessment"][i % 4]
        CaseFactory(
            team=team, worker=worker, cohort=cohort, iro=iro if cohort in ("cp", "cla") else None
        )
    db.session.commit()
    people = {
        "dcs": dcs,
        "psw": psw,
        "hos": hos,
        "tm_n": tm_n,
        "tm_e": tm_e,
        "iro": iro,
        "ap": ap,
        "away": away,
        "exempt": exempt,
        "pending_exempt": pending_exempt,
        "sw_n": sw_n,
    }
    return people


def drawn(rate="100%"):
    result = sampling.draw_sample(
        "2026-11", by=None, now=NOW, rng=random.Random(1), seed=3, rate_bp=sampling.parse_rate(rate)
    )
    db.session.commit()
    return result.cycle


def test_absences_and_dcs_approved_exemptions_remove_capacity(council):
    cycle = drawn()
    pool = {a.user_id: a for a in allocation.auditor_pool(cycle).auditors}
    assert pool[council["away"].id].capacity == 0
    assert pool[council["exempt"].id].capacity == 0
    assert pool[council["pending_exempt"].id].capacity == 2  # not approved by the DCS: ignored
    allocation.allocate_cycle(cycle, now=NOW)
    db.session.commit()
    holders = set(db.session.scalars(select(Assignment.auditor_id)))
    assert council["away"].id not in holders and council["exempt"].id not in holders


def test_tier3_quotas_and_hard_rules_hold_in_the_database(council):
    cycle = drawn()
    plan = allocation.allocate_cycle(cycle, now=NOW)
    db.session.commit()
    rows = db.session.execute(select(Assignment, SampleItem).join(SampleItem)).all()
    tier3 = [(a.auditor_id, item.case.team.locality.name) for a, item in rows if a.tier == 3]
    assert [loc for uid, loc in tier3 if uid == council["hos"].id] == ["North"]
    assert sum(1 for uid, _ in tier3 if uid == council["dcs"].id) == 2
    for assignment, item in rows:
        case = item.case
        assert assignment.auditor.team_id != case.team_id
        assert case.worker.line_manager_id != assignment.auditor_id
        assert case.iro_id != assignment.auditor_id
        assert assignment.due_on == date(2026, 11, 30)
    assert plan.unallocated  # 40 cases, far more than capacity
    reasons = set(
        db.session.scalars(
            select(SampleItem.unallocated_reason).where(SampleItem.unallocated_reason.is_not(None))
        )
    )
    assert any("at capacity" in r for r in reasons)


def test_reassign_enforces_and_explains_the_hard_rules(council):
    cycle = drawn(rate="10%")
    allocation.allocate_cycle(cycle, now=NOW)
    db.session.commit()
    item = db.session.scalar(
        select(SampleItem)
        .join(SampleItem.case)
        .where(SampleItem.team_id == council["tm_n"].team_id)
        .limit(1)
    )
    with pytest.raises(SamplingError, match="the case is in their own team"):
        allocation.reassign(item, council["tm_n"], now=NOW)
    db.session.rollback()
    before = item.assignment.auditor_id if item.assignment else None
    with pytest.raises(SamplingError, match="not an auditor"):
        allocation.reassign(item, council["sw_n"], now=NOW)
    db.session.rollback()
    assert (item.assignment.auditor_id if item.assignment else None) == before
    if before != council["ap"].id:
        allocation.reassign(item, council["ap"], now=NOW)
        db.session.commit()
        assert item.assignment.auditor_id == council["ap"].id and item.assignment.manual


def test_publish_tells_each_auditor_once_and_they_see_their_cases(council):
    cycle = drawn(rate="10%")
    allocation.allocate_cycle(cycle, now=NOW)
    told = cycles.publish_cycle(cycle, by=None, now=NOW, base_url=BASE)
    db.session.commit()
    auditors = set(db.session.scalars(select(Assignment.auditor_id)))
    assert told == len(auditors)
    notes = db.session.scalars(
        select(Notification).where(Notification.kind == "audits_allocated")
    ).all()
    assert {n.user_id for n in notes} == auditors
    # Each auditor's email lists their cases by the reference the case page shows, no more.
    emails = db.session.scalars(select(EmailMessage)).all()
    assert {e.user_id for e in emails} == auditors
    for email in emails:
        theirs = db.session.scalars(
            select(SampleItem).join(Assignment).where(Assignment.auditor_id == email.user_id)
        ).all()
        assert all(f"- Child {i.case.child.la_child_id} (tier" in email.body for i in theirs)
        assert f"{theirs[0].case.child.dob:%-d %B %Y}" not in email.body
    with pytest.raises(SamplingError, match="already published"):
        cycles.publish_cycle(cycle, by=None, now=NOW, base_url=BASE)
    with pytest.raises(SamplingError, match="published"):
        allocation.allocate_cycle(cycle, now=NOW)


def test_extension_requests_go_to_the_line_manager_or_the_psw(council):
    cycle = drawn()
    allocation.allocate_cycle(cycle, now=NOW)
    cycles.publish_cycle(cycle, by=None, now=NOW, base_url=BASE)
    db.session.commit()
    ap = council["ap"]
    mine = extensions.my_assignments(ap)
    assert mine
    first = mine[0]
    with pytest.raises(extensions.ExtensionError, match="Say why"):
        extensions.request_extension(
            first, by=ap, working_days=3, reason=" ", now=NOW, base_url=BASE
        )
    request = extensions.request_extension(
        first, by=ap, working_days=3, reason="Leave", now=NOW, base_url=BASE
    )
    db.session.commit()
    # The AP's line manager here is the PSW; a long request also goes to the PSW.
    assert request.decider_role == "line_manager" and request.decider_id == council["psw"].id
    with pytest.raises(extensions.ExtensionError, match="already have a request"):
        extensions.request_extension(
            first, by=ap, working_days=1, reason="x", now=NOW, base_url=BASE
        )
    with pytest.raises(extensions.ExtensionError, match="Only their line manager"):
        extensions.decide_extension(
            request, by=council["dcs"], approve=True, note=None, now=NOW, base_url=BASE
        )
    extensions.decide_extension(
        request, by=council["psw"], approve=True, note="OK", now=NOW, base_url=BASE
    )
    db.session.commit()
    assert first.extended_to == date(2026, 12, 3)  # 3 working days after Monday 30 November
    longer = extensions.request_extension(
        first, by=ap, working_days=3, reason="More", now=NOW, base_url=BASE
    )
    assert longer.decider_role == "psw"  # 6 days in all: beyond the line manager's 5


def test_monthly_job_draws_allocates_and_tells_admins_once_however_often_it_runs(council):
    admin = make_user("qa_admin")
    assert jobs.monthly_sampling("2026-11") == "allocated"
    first = db.session.scalars(select(Assignment.id).order_by(Assignment.id)).all()
    assert jobs.monthly_sampling("2026-11") == "allocated"
    assert db.session.scalars(select(Assignment.id).order_by(Assignment.id)).all() == first
    notes = db.session.scalars(select(Notification).where(Notification.user_id == admin.id)).all()
    assert len(notes) == 1 and "2026-11" in notes[0].subject
