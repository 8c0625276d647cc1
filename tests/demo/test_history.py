"""The demo council's twelve months of history: believable, consistent, deterministic."""

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from qa_app.demo import seed_demo, wipe_all_data
from qa_app.extensions import db
from qa_app.models import (
    Action,
    Assignment,
    Audit,
    AuditComplianceAnswer,
    AuditCycle,
    AuditSectionGrade,
    Case,
    Notification,
    SampleItem,
    User,
)
from qa_app.services.actions.chase import reached_rungs, run_chase
from qa_app.services.moderation import reminders as moderation_reminders
from qa_app.services.sampling.cycles import cycle_view
from qa_app.services.sampling.draw import stored_frame

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0)
ONE_DAY = timedelta(days=1)


def _seed(seed=11, cases=1200):
    summary = seed_demo(cases=cases, seed=seed, today=TODAY, now=NOW)
    db.session.commit()
    return summary


def _grades_by_child():
    from qa_app.models import Child  # noqa: PLC0415

    return db.session.execute(
        select(AuditCycle.month, Child.la_child_id, Audit.overall_grade, User.email)
        .join(Assignment, Assignment.id == Audit.assignment_id)
        .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
        .join(AuditCycle, AuditCycle.id == SampleItem.cycle_id)
        .join(Case, Case.id == Audit.case_id)
        .join(Child, Child.id == Case.child_id)
        .join(User, User.id == Audit.auditor_id)
        .order_by(AuditCycle.month, Child.la_child_id)
    ).all()


def test_history_has_a_cycle_per_past_month_with_realistic_submitted_audits(app_ctx):
    summary = _seed()
    months = db.session.scalars(select(AuditCycle.month).order_by(AuditCycle.month)).all()
    assert months == [
        "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04",
        "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10",
    ]  # fmt: skip
    # 10% of the eligible cases each month (those not sampled in the last six months).
    assert summary.history["audits"] > 600
    # JSON columns hold JSON objects, not JSON-encoded strings (PostgreSQL's COPY path).
    from qa_app.models import ActionEvent  # noqa: PLC0415

    assert all(isinstance(s, list) for s in db.session.scalars(select(AuditCycle.strata)))
    details = db.session.scalars(select(ActionEvent.detail).limit(200)).all()
    assert details and all(isinstance(d, dict) for d in details)
    # The moderation seeder moves some (all grade 1) audits on to "moderated".
    submitted = db.session.scalars(
        select(Audit).where(Audit.status.in_(("submitted", "moderated", "closed")))
    ).all()
    mix = Counter(a.overall_grade for a in submitted)
    total = sum(mix.values())
    assert mix[3] / total > 0.4 and mix[3] == max(mix.values())
    assert 0.15 < mix[2] / total < 0.45
    assert 0 < mix[1] / total < 0.1 and 0.03 < mix[4] / total < 0.2
    assert all((a.moderated_grade is not None) == (a.status == "moderated") for a in submitted)
    for audit in submitted[:50]:
        rows = {r.section_key: r.grade for r in audit.section_grades}
        assert rows == {k: v["grade"] for k, v in audit.answers["sections"].items()}
        assert {r.question_key: r.answer for r in audit.compliance_answers} == (
            audit.answers["compliance"]
        )
        assert audit.suggested_grade is not None and audit.overall_rationale
        assert abs(audit.overall_grade - audit.suggested_grade) <= 1
        assert (audit.overall_grade != audit.suggested_grade) == bool(audit.difference_reason)
        assert audit.toolkit_version.cohorts.count(audit.case.cohort) == 1
        # Never the auditor's own team.
        assert audit.auditor.team_id != audit.case.team_id
        assert all(
            v["evidence"] for v in audit.answers["sections"].values() if not v["not_applicable"]
        )


def test_latest_month_has_late_and_outstanding_audits_and_thematic_cases(app_ctx):
    _seed()
    latest = db.session.scalar(select(AuditCycle).where(AuditCycle.month == "2026-10"))
    statuses = Counter(
        db.session.scalars(
            select(Assignment.status).join(SampleItem).where(SampleItem.cycle_id == latest.id)
        )
    )
    assert statuses["completed"] > 0 and statuses["assigned"] + statuses["in_progress"] > 0
    late = db.session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.completed_on > Assignment.due_on)
    )
    assert late > 0
    selections = Counter(db.session.scalars(select(SampleItem.selection)))
    assert selections["thematic"] > 0 and selections["random"] > 20 * selections["thematic"]
    assert db.session.scalar(select(func.count(Action.id))) > 0
    assert db.session.scalar(select(func.count(AuditSectionGrade.id))) > 0
    assert db.session.scalar(select(func.count(AuditComplianceAnswer.id))) > 0


def test_history_is_the_same_for_the_same_seed(app_ctx):
    _seed(seed=5, cases=300)
    first = _grades_by_child()
    wipe_all_data()
    db.session.commit()
    _seed(seed=5, cases=300)
    assert _grades_by_child() == first


def test_every_past_cycle_of_a_fresh_demo_passes_its_own_check(app_ctx):
    _seed(seed=3, cases=400)
    cycles = db.session.scalars(select(AuditCycle).order_by(AuditCycle.month)).all()
    assert len(cycles) == 12
    for cycle in cycles:
        view = cycle_view(cycle, today=cycle.reference_date)
        assert view.verified, cycle.month
        frame = stored_frame(cycle)
        assert cycle.frame_count == len(frame) > 0
        assert 0 < cycle.eligible_count <= cycle.frame_count
        assert cycle.excluded_audited == cycle.frame_count - cycle.eligible_count
        assert sum(s["sample"] for s in cycle.strata) == view.counts["random"] > 0
    # Later months exclude the cases sampled in the months before.
    assert cycles[0].excluded_audited == 0 and cycles[-1].excluded_audited > 0


def test_the_first_reminder_runs_after_a_fresh_demo_send_only_todays(app_ctx):
    """The history's open actions come with the reminders the daily chase would have sent up
    to yesterday, so the worker's first run does not send a year's backlog at once."""
    _seed(seed=3, cases=400)
    open_actions = db.session.scalars(
        select(Action).where(Action.status.in_(("open", "in_progress", "reopened")))
    ).all()
    overdue_long_ago = [a for a in open_actions if a.due_on < TODAY - timedelta(days=60)]
    assert overdue_long_ago  # the history does leave actions overdue at every rung
    due_today = sum(
        len(set(reached_rungs(a.due_on, TODAY)) - set(reached_rungs(a.due_on, TODAY - ONE_DAY)))
        for a in open_actions
    )
    result = run_chase(TODAY, now=NOW, base_url="http://x")
    # At most two people per rung (the DCS and the PSW share the top one).
    assert sum(result.sent.values()) <= 2 * due_today
    assert moderation_reminders.chase(TODAY, now=NOW, base_url="http://x") < 10
    db.session.flush()
    # Routine reminders are one summary a day per person: at most one unread each (the
    # seed's from yesterday, marked read when today's is written); anything else is few.
    others = select(func.count(Notification.id)).where(Notification.kind != "action_chase")
    assert db.session.scalar(others) <= 2 * due_today + 20
    unread = db.session.scalars(
        select(Notification.user_id).where(
            Notification.kind == "action_chase", Notification.read_at.is_(None)
        )
    ).all()
    assert len(unread) == len(set(unread))
