"""Twelve months of audit history for the demo council, so reports and trends have something true.

For each past month: an audit cycle (a random sample drawn by the service's own rules from the
cases open on the 1st, its frame stored so the cycle's check passes; a few thematic cases added
by hand), every case given to a tier 2 auditor outside the case's team,
and a submitted audit per completed assignment with section grades, compliance answers, the
suggested grade (the real grading rules) and the auditor's overall grade. The grade mix is the
one councils report: mostly Requires improvement, some Good, few Outstanding or Inadequate; teams
differ; a few auditors are systematically generous; practice improves slowly over the year. In the
latest month some audits are late and some not yet completed.

Moderated grades are left unset: moderation's own demo seeder moderates a share of these audits.
Everything is bulk-inserted and comes from the caller's seeded generator.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate
from random import Random

from sqlalchemy import func, select

from qa_app.bulk import insert_rows
from qa_app.demo.history_content import Kit, actions_for, audit_rows
from qa_app.extensions import db
from qa_app.models import (
    Action,
    Assignment,
    Audit,
    AuditComplianceAnswer,
    AuditCycle,
    AuditSectionGrade,
    Case,
    CycleFrame,
    SampleItem,
    User,
    UserRole,
)
from qa_app.models.vocab import COHORTS, TIER2_ROLES
from qa_app.services.platform.calendar import add_working_days, last_working_day
from qa_app.services.platform.months import ending_with, parse, previous
from qa_app.services.sampling.draw import SamplePlan, plan_sample
from qa_app.services.sampling.frame import AUDITED, ELIGIBLE, FrameRow, encode_frame
from qa_app.services.toolkits.store import toolkit_for_cohort

SAMPLE_RATE_BP = 1000  # 10%, as the service's default
REAUDIT_MONTHS = 6
THEMATIC_SHARE = 0.03
LATE_SHARE = 0.08
LATEST_OUTSTANDING_SHARE = 0.09
LATEST_LATE_SHARE = 0.12
GENEROUS_SHARE = 0.15
THEMES = (
    "Thematic: neglect",
    "Thematic: exploitation outside the home",
    "Thematic: pre-birth assessments",
    "Thematic: children with disabilities",
)


def _auditor_pool() -> tuple[list[int], dict[int, int | None], list[int]]:
    """Tier 2 auditors, their teams, and cumulative capacities (busier people audit more)."""
    rows = db.session.execute(
        select(User.id, User.team_id, func.max(User.capacity))
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(TIER2_ROLES), User.active)
        .group_by(User.id, User.team_id)
        .order_by(User.id)
    ).all()
    teams = {user_id: team_id for user_id, team_id, _c in rows}
    weights = list(accumulate(capacity or 2 for _u, _t, capacity in rows))
    return [r[0] for r in rows], teams, weights


@lru_cache(maxsize=4096)
def _add_working_days(day: date, days: int) -> date:
    return add_working_days(day, days)


def _working_day_in(start: date, end: date, rng: Random) -> date:
    day = start + timedelta(days=rng.randrange((end - start).days + 1))
    return _add_working_days(day, 0)


def seed_history(*, today: date, rng: Random, months: int = 12) -> dict:
    """Create *months* past monthly cycles with submitted audits (flushes; the caller commits).

    Returns counts: cycles, sample items, assignments, audits and actions created.
    """
    auditors, auditor_team, cumulative = _auditor_pool()
    qa_admin = db.session.scalar(
        select(UserRole.user_id).where(UserRole.role == "qa_admin").order_by(UserRole.user_id)
    )
    cases = db.session.execute(
        select(Case.id, Case.team_id, Case.cohort, Case.opened_on, Case.worker_id)
        .where(Case.closed_on.is_(None), Case.team_id.is_not(None))
        .order_by(Case.id)
    ).all()
    if not auditors or not cases:
        return {"cycles": 0, "sample_items": 0, "assignments": 0, "audits": 0, "actions": 0}
    kits = {}
    for cohort in COHORTS:
        version = toolkit_for_cohort(cohort)
        kits[cohort] = Kit(version.id, version.definition)
    team_effect = {team: rng.gauss(0, 0.18) for team in sorted({c.team_id for c in cases})}
    auditor_bias = {a: (-0.35 if rng.random() < GENEROUS_SHARE else 0.0) for a in auditors}
    cohort_effect = {"cp": 0.08, "cla": -0.05, "care_leaver": 0.05, "assessment": -0.04}

    periods = [parse(m) for m in ending_with(previous(today), months)]
    seeds = [rng.randrange(2**31) for _ in periods]

    # Each month is drawn by the service's own rules (draw.plan_sample) from a frame of the cases
    # open on the 1st, and that frame is stored, so each cycle's check (draw.verify_cycle)
    # passes. The demo caseload does not turn over as a real one does, so its frames exclude a
    # case sampled in the last REAUDIT_MONTHS (the real rule is 12): otherwise the sample would
    # dwindle month by month.
    last_sampled: dict[int, int] = {}
    # Per month: the stored frame (encoded at once: twelve frames of a large council are
    # millions of rows), the plan, and the cases chosen with how.
    drawn: list[tuple[tuple[bytes, str], SamplePlan, list[tuple[int, str]]]] = []
    case_by_id = {c.id: c for c in cases}
    for index, (year, month) in enumerate(periods):
        reference = date(year, month, 1)
        frame = [
            FrameRow(
                c.id,
                c.team_id,
                c.cohort,
                AUDITED if last_sampled.get(c.id, -99) >= index - REAUDIT_MONTHS else ELIGIBLE,
            )
            for c in cases
            if (c.opened_on or date.min) <= reference
        ]
        plan = plan_sample(frame, seed=seeds[index], rate_bp=SAMPLE_RATE_BP)
        chosen = set(plan.selected)
        rest = [r.case_id for r in frame if r.exclusion == ELIGIBLE and r.case_id not in chosen]
        thematic = rng.sample(rest, min(len(rest), max(1, round(THEMATIC_SHARE * len(chosen)))))
        selections = [(c, "random") for c in plan.selected] + [(c, "thematic") for c in thematic]
        for case_id, _selection in selections:
            last_sampled[case_id] = index
        drawn.append((encode_frame(frame), plan, selections))

    cycle_rows = [
        {
            "month": f"{y:04d}-{m:02d}",
            "reference_date": date(y, m, 1),
            "rate_bp": SAMPLE_RATE_BP,
            "seed": seeds[i],
            "status": "published" if i == len(periods) - 1 else "closed",
            "frame_count": drawn[i][1].frame,
            "eligible_count": drawn[i][1].eligible,
            "excluded_audited": drawn[i][1].excluded_audited,
            "excluded_in_cycle": drawn[i][1].excluded_in_cycle,
            "strata": [s.as_dict() for s in drawn[i][1].strata],
            "draws": 1,
            "drawn_at": datetime.combine(date(y, m, 1), time(7)),
            "drawn_by_id": None,
            "allocated_at": datetime.combine(date(y, m, 1), time(9)),
            "published_at": datetime.combine(date(y, m, 1), time(12)),
            "published_by_id": qa_admin,
            "closed_at": None
            if i == len(periods) - 1
            else datetime.combine(last_working_day(y, m) + timedelta(days=20), time(17)),
        }
        for i, (y, m) in enumerate(periods)
    ]
    insert_rows(AuditCycle.__table__, cycle_rows)
    cycle_ids = dict(
        db.session.execute(
            select(AuditCycle.month, AuditCycle.id).where(
                AuditCycle.month.in_([r["month"] for r in cycle_rows])
            )
        ).all()
    )

    items: list[dict] = []
    plan_by_item: dict[tuple[int, int], dict] = {}  # (cycle_id, case_id) -> facts for later rows
    for index, (year, month) in enumerate(periods):
        reference = date(year, month, 1)
        cycle_id = cycle_ids[f"{year:04d}-{month:02d}"]
        (data, digest), plan, selections = drawn[index]
        db.session.add(
            CycleFrame(cycle_id=cycle_id, case_count=plan.frame, digest=digest, data=data)
        )
        theme = THEMES[index % len(THEMES)]
        for case_id, selection in selections:
            case = case_by_id[case_id]
            items.append(
                {
                    "cycle_id": cycle_id,
                    "case_id": case_id,
                    "team_id": case.team_id,
                    "cohort": case.cohort,
                    "selection": selection,
                    "note": theme if selection == "thematic" else None,
                    "added_by_id": qa_admin if selection == "thematic" else None,
                    "added_at": datetime.combine(reference, time(8)),
                    "unallocated_reason": None,
                }
            )
            plan_by_item[(cycle_id, case_id)] = {"index": index, "year": year, "month": month}
    insert_rows(SampleItem.__table__, items)
    item_ids = db.session.execute(
        select(SampleItem.id, SampleItem.cycle_id, SampleItem.case_id).where(
            SampleItem.cycle_id.in_(list(cycle_ids.values()))
        )
    ).all()

    # Assignments: a tier 2 auditor outside the case's team; due the last working day.
    assignment_rows = []
    latest = len(periods) - 1
    month_due = [last_working_day(y, m) for y, m in periods]
    for item_id, cycle_id, case_id in sorted(map(tuple, item_ids)):
        facts = plan_by_item[(cycle_id, case_id)]
        case = case_by_id[case_id]
        auditor = rng.choices(auditors, cum_weights=cumulative)[0]
        while auditor_team[auditor] == case.team_id and len(auditors) > 1:
            auditor = rng.choices(auditors, cum_weights=cumulative)[0]
        due = month_due[facts["index"]]
        start = date(facts["year"], facts["month"], 8)
        draw = rng.random()
        if facts["index"] == latest and draw < LATEST_OUTSTANDING_SHARE:
            status, completed = ("in_progress" if draw < 0.05 else "assigned"), None
        elif draw > 1 - (LATEST_LATE_SHARE if facts["index"] == latest else LATE_SHARE):
            status, completed = "completed", _add_working_days(due, rng.randint(1, 8))
        else:
            status, completed = "completed", _working_day_in(start, due, rng)
        if completed is not None and completed >= today:
            status, completed = "in_progress", None
        facts.update(auditor=auditor, completed=completed, status=status, item_id=item_id)
        assignment_rows.append(
            {
                "sample_item_id": item_id,
                "auditor_id": auditor,
                "tier": 2,
                "due_on": due,
                "extended_to": None,
                "status": status,
                "manual": False,
                "assigned_at": datetime.combine(date(facts["year"], facts["month"], 1), time(12)),
                "completed_on": completed,
            }
        )
    insert_rows(Assignment.__table__, assignment_rows)
    assignment_ids = dict(
        db.session.execute(
            select(Assignment.sample_item_id, Assignment.id).where(
                Assignment.sample_item_id.in_(
                    select(SampleItem.id).where(SampleItem.cycle_id.in_(list(cycle_ids.values())))
                )
            )
        ).all()
    )

    audits, audit_keys = audit_rows(
        plan_by_item,
        case_by_id,
        kits,
        assignment_ids,
        team_effect,
        auditor_bias,
        cohort_effect,
        rng,
        today,
    )
    insert_rows(Audit.__table__, audits)
    audit_ids = dict(
        db.session.execute(
            select(Audit.assignment_id, Audit.id)
            .join(Assignment, Assignment.id == Audit.assignment_id)
            .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
            .where(SampleItem.cycle_id.in_(list(cycle_ids.values())))
        ).all()
    )
    section_rows, compliance_rows, action_rows = [], [], []
    for assignment_id, audit in audit_keys.items():
        audit_id = audit_ids[assignment_id]
        for key, grade, critical in audit["sections"]:
            section_rows.append(
                {
                    "audit_id": audit_id,
                    "section_key": key,
                    "grade": grade,
                    "not_applicable": grade is None,
                    "safety_critical": critical,
                }
            )
        for key, answer in audit["compliance"].items():
            compliance_rows.append({"audit_id": audit_id, "question_key": key, "answer": answer})
        action_rows.extend(actions_for(audit, audit_id, rng, today))
    insert_rows(AuditSectionGrade.__table__, section_rows)
    insert_rows(AuditComplianceAnswer.__table__, compliance_rows)
    insert_rows(Action.__table__, action_rows)
    db.session.flush()
    return {
        "cycles": len(cycle_rows),
        "sample_items": len(items),
        "assignments": len(assignment_rows),
        "audits": len(audits),
        "actions": len(action_rows),
    }
