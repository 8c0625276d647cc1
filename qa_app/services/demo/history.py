"""Twelve months of audit history for the demo council, so reports and trends have something true.

For each past month: an audit cycle (random sample of about 10% of the cases open on the 1st, a
few thematic cases added by hand), every case given to a tier 2 auditor outside the case's team,
and a submitted audit per completed assignment with section grades, compliance answers, the
suggested grade (the real grading rules) and the auditor's overall grade. The grade mix is the
one councils report: mostly Requires improvement, some Good, few Outstanding or Inadequate; teams
differ; a few auditors are systematically generous; practice improves slowly over the year. In the
latest month some audits are late and some still outstanding.

Moderated grades are left unset: moderation's own demo seeder moderates a share of these audits.
Everything is bulk-inserted and comes from the caller's seeded generator.
"""

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate
from random import Random

from sqlalchemy import func, select

from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.models import (
    Action,
    Assignment,
    Audit,
    AuditComplianceAnswer,
    AuditCycle,
    AuditSectionGrade,
    Case,
    SampleItem,
    User,
    UserRole,
)
from qa_app.models.toolkit_definition import ToolkitDefinition
from qa_app.models.vocab import COHORTS, TIER2_ROLES
from qa_app.services.calendar import add_working_days, last_working_day
from qa_app.services.grading import GradedSection, suggest_grade
from qa_app.services.toolkits import toolkit_for_cohort

SAMPLE_RATE = 0.10
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
# Sections practice does better or worse on: a positive shift means worse grades.
SECTION_SHIFT = {
    "chronology_genogram": 0.18,
    "history_chronology": 0.15,
    "management_oversight": 0.15,
    "recording": 0.08,
    "voice_lived_experience": -0.12,
    "voice_of_child": -0.1,
    "child_seen": -0.15,
    "multi_agency_working": -0.05,
    "health_education": -0.08,
}
# Sections not applicable for a cohort (the toolkit allows it for them).
NOT_APPLICABLE = {
    "cla": {"pathway_plan", "personal_adviser", "accommodation_eet"},
    "care_leaver": {"care_planning", "permanence", "placement_stability", "iro_oversight"},
}
COMPLIANCE_NA = {
    "care_leaver": {"seen_alone_last_visit", "pep_current"},
    "assessment": {"plan_reviewed_in_timescale"},
}
COMPLIANCE_SHIFT = {"supervision_last_month": -0.12, "chronology_up_to_date": -0.08}
P_YES = {1: 0.97, 2: 0.9, 3: 0.72, 4: 0.45}

EVIDENCE = {
    1: (
        "Visits are purposeful and the child's words shape the plan.",
        "Analysis is clear and sharp; risks and strengths are well balanced.",
        "Timely, creative work has brought lasting change for the child.",
    ),
    2: (
        "Visits are in timescale and the child is seen alone.",
        "The plan is specific and reviewed on time with partners.",
        "Management oversight is recorded at key decisions.",
        "Recording is up to date and written to the child.",
    ),
    3: (
        "The plan is not specific enough to measure progress.",
        "Some visits are out of timescale and purpose is unclear.",
        "The chronology is out of date and not used in analysis.",
        "Supervision is recorded but does not reflect on risk.",
        "The child's voice is recorded but does not shape the plan.",
    ),
    4: (
        "Risk is not recognised and the child remains unsafe.",
        "No current assessment; drift and delay for the child.",
        "Visits are missed and the child has not been seen alone.",
    ),
}
RATIONALE = {
    1: "Practice is consistently strong and the child's outcomes are improving.",
    2: "Good practice overall; minor gaps do not affect the child's progress.",
    3: "Practice is safe but gaps in planning and recording limit progress.",
    4: "Serious weaknesses leave the child at risk of harm; escalated.",
}
DIFFERENCE = "The worst section reflects one gap that is already being addressed."


@dataclass
class _Kit:
    version_id: int
    definition: ToolkitDefinition


def _months_before(today: date, months: int) -> list[tuple[int, int]]:
    """The *months* calendar months before today's, oldest first."""
    year, month = today.year, today.month
    out = []
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append((year, month))
    return out[::-1]


def _score_to_grade(score: float) -> int:
    if score < 1.6:
        return 1
    if score < 2.5:
        return 2
    if score < 3.45:
        return 3
    return 4


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


def _section_grades(
    kit: _Kit, cohort: str, target: int, rng: Random
) -> list[tuple[str, int | None, bool]]:
    """(section key, grade or None when not applicable, safety critical) around *target*."""
    out = []
    na = NOT_APPLICABLE.get(cohort, set())
    for section in kit.definition.sections:
        if section.may_be_not_applicable and (
            section.key in na or (section.key == "strategy_discussions" and cohort != "cp")
        ):
            out.append((section.key, None, section.safety_critical))
            continue
        shift = SECTION_SHIFT.get(section.key, 0.0)
        draw = rng.random()
        grade = target + (1 if draw < 0.18 + shift else -1 if draw > 0.82 + shift else 0)
        grade = min(4, max(1, grade))
        if section.safety_critical and grade == 4 and target < 4:
            grade = 3  # an inadequate safety-critical section would make the audit inadequate
        out.append((section.key, grade, section.safety_critical))
    if target == 4 and not any(g == 4 and sc for _k, g, sc in out):
        critical = [i for i, (_k, g, sc) in enumerate(out) if sc and g is not None]
        if critical:
            key, _g, sc = out[critical[0]]
            out[critical[0]] = (key, 4, sc)
    return out


def _json_value(value):
    """JSON column values for insert_rows: PostgreSQL's COPY takes the text, SQLAlchemy the object."""
    if db.session.connection().dialect.name == "postgresql":
        return json.dumps(value, separators=(",", ":"))
    return value


def _insert_plain(table, rows: list[dict]) -> None:
    """Bulk insert rows of ints, strings and booleans only (the million-row child tables).

    On SQLite the DB-API executemany with tuples is several times faster than SQLAlchemy's
    per-row parameter processing, and these types need no conversion; elsewhere insert_rows
    (COPY on PostgreSQL) is already fast.
    """
    connection = db.session.connection()
    if not rows or connection.dialect.name != "sqlite":
        insert_rows(table, rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{table.columns[c].name}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',  # noqa: S608 - model names
        [tuple(row.values()) for row in rows],
    )


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
        kits[cohort] = _Kit(version.id, version.definition)
    team_effect = {team: rng.gauss(0, 0.18) for team in sorted({c.team_id for c in cases})}
    auditor_bias = {a: (-0.35 if rng.random() < GENEROUS_SHARE else 0.0) for a in auditors}
    cohort_effect = {"cp": 0.08, "cla": -0.05, "care_leaver": 0.05, "assessment": -0.04}

    periods = _months_before(today, months)
    cycle_rows = [
        {
            "month": f"{y:04d}-{m:02d}",
            "reference_date": date(y, m, 1),
            "rate_bp": 1000,
            "seed": rng.randrange(2**31),
            "status": "published" if i == len(periods) - 1 else "closed",
            "frame_count": 0,
            "eligible_count": 0,
            "excluded_audited": 0,
            "excluded_in_cycle": 0,
            "strata": _json_value([]),
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

    # Sample: 10% of the cases open on the 1st. The demo caseload does not turn over as a real
    # one does, so a case may be sampled again after REAUDIT_MONTHS (the real rule is 12).
    last_sampled: dict[int, int] = {}
    items: list[dict] = []
    plan: dict[tuple[int, int], dict] = {}  # (cycle_id, case_id) -> facts for later rows
    case_by_id = {c.id: c for c in cases}
    for index, (year, month) in enumerate(periods):
        reference = date(year, month, 1)
        cycle_id = cycle_ids[f"{year:04d}-{month:02d}"]
        frame = [c.id for c in cases if c.opened_on is None or c.opened_on <= reference]
        eligible = [c for c in frame if last_sampled.get(c, -99) < index - REAUDIT_MONTHS]
        chosen = rng.sample(eligible, min(math.ceil(SAMPLE_RATE * len(frame)), len(eligible)))
        chosen_set = set(chosen)
        rest = [c for c in eligible if c not in chosen_set]
        thematic = rng.sample(rest, min(len(rest), max(1, round(THEMATIC_SHARE * len(chosen)))))
        theme = THEMES[index % len(THEMES)]
        selections = [(c, "random") for c in chosen] + [(c, "thematic") for c in thematic]
        for case_id, selection in selections:
            last_sampled[case_id] = index
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
            plan[(cycle_id, case_id)] = {"index": index, "year": year, "month": month}
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
        facts = plan[(cycle_id, case_id)]
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

    audits, audit_keys = _audit_rows(
        plan, case_by_id, kits, assignment_ids, team_effect, auditor_bias, cohort_effect, rng, today
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
        action_rows.extend(_actions_for(audit, audit_id, rng, today))
    _insert_plain(AuditSectionGrade.__table__, section_rows)
    _insert_plain(AuditComplianceAnswer.__table__, compliance_rows)
    insert_rows(Action.__table__, action_rows)
    db.session.flush()
    return {
        "cycles": len(cycle_rows),
        "sample_items": len(items),
        "assignments": len(assignment_rows),
        "audits": len(audits),
        "actions": len(action_rows),
    }


def _audit_rows(
    plan, case_by_id, kits, assignment_ids, team_effect, auditor_bias, cohort_effect, rng, today
) -> tuple[list[dict], dict[int, dict]]:
    rows: list[dict] = []
    keyed: dict[int, dict] = {}
    as_json = _json_value if db.session.connection().dialect.name == "postgresql" else (lambda v: v)
    months = max(f["index"] for f in plan.values()) or 1
    for (_cycle_id, case_id), facts in sorted(plan.items()):
        if facts["status"] == "assigned":
            continue
        case = case_by_id[case_id]
        kit = kits[case.cohort]
        # Practice improves a little over the year; auditors' generosity shifts their grades.
        score = rng.gauss(2.82, 0.6) - 0.12 * facts["index"] / months
        score += team_effect[case.team_id] + cohort_effect.get(case.cohort, 0.0)
        score += auditor_bias[facts["auditor"]]
        target = _score_to_grade(score)
        sections = _section_grades(kit, case.cohort, target, rng)
        suggestion = suggest_grade(
            [GradedSection(k, k, g, sc) for k, g, sc in sections], kit.definition.grading
        )
        overall = suggestion.grade
        reason = None
        if overall is not None and overall > 1 and rng.random() < 0.06:
            overall, reason = overall - 1, DIFFERENCE
        compliance = {}
        na = COMPLIANCE_NA.get(case.cohort, set())
        for question in kit.definition.compliance:
            if question.key in na and question.not_applicable_allowed:
                compliance[question.key] = "na"
            else:
                p = P_YES[overall or 3] + COMPLIANCE_SHIFT.get(question.key, 0.0)
                compliance[question.key] = "yes" if rng.random() < p else "no"
        answers = {
            "sections": {
                k: {
                    "grade": g,
                    "not_applicable": g is None,
                    "na_reason": "Not relevant for this child's plan" if g is None else "",
                    "evidence": "" if g is None else rng.choice(EVIDENCE[g]),
                }
                for k, g, _sc in sections
            },
            "compliance": compliance,
            "overall": {"grade": overall, "rationale": RATIONALE[overall or 3]},
        }
        submitted = facts["completed"]
        draft = facts["status"] == "in_progress"
        hour, minute = 10 + rng.randrange(7), rng.randrange(60)
        at = datetime.combine(today if draft else submitted, time(hour, minute))
        rows.append(
            {
                "assignment_id": assignment_ids[facts["item_id"]],
                "case_id": case_id,
                "auditor_id": facts["auditor"],
                "toolkit_version_id": kit.version_id,
                "status": "draft" if draft else "submitted",
                "answers": as_json(answers if not draft else {"sections": {}, "compliance": {}}),
                "overall_grade": None if draft else overall,
                "overall_rationale": None if draft else RATIONALE[overall],
                "suggested_grade": None if draft else suggestion.grade,
                "difference_reason": None if draft else reason,
                "moderated_grade": None,
                "safeguarding_flag": False,
                "version": 1 if draft else 12,
                "created_at": datetime.combine(date(facts["year"], facts["month"], 2), time(9)),
                "saved_at": at,
                "submitted_at": None if draft else at,
                "closed_at": None,
            }
        )
        if not draft:
            keyed[assignment_ids[facts["item_id"]]] = {
                "sections": sections,
                "compliance": compliance,
                "overall": overall,
                "case_id": case_id,
                "worker_id": case.worker_id,
                "auditor": facts["auditor"],
                "submitted": submitted,
            }
    return rows, keyed


ACTION_TEXT: Sequence[str] = (
    "Update the chronology and use it in the next supervision.",
    "Make the plan SMART, with the child's words in it.",
    "Record management oversight of the current plan.",
    "Complete the overdue statutory visit and see the child alone.",
)


def _actions_for(audit: dict, audit_id: int, rng: Random, today: date) -> list[dict]:
    """Actions the auditor raised: one or two for weaker audits, owned by the worker."""
    if audit["overall"] < 3 or audit["worker_id"] is None:
        return []
    rows = []
    for n in range(1 if audit["overall"] == 3 else 2):
        raised = datetime.combine(audit["submitted"], time(15, n))
        due = _add_working_days(audit["submitted"], 20)
        draw = rng.random()
        age = (today - audit["submitted"]).days
        if due < today and draw < 0.7 + min(0.25, age / 800):
            status = "verified" if draw < 0.45 else "completed"
        elif draw < 0.8:
            status = "in_progress" if draw > 0.7 else "open"
        else:
            status = "open"
        done = datetime.combine(_add_working_days(due, rng.randint(-12, 4)), time(11))
        done = min(done, datetime.combine(today, time(8)))
        verified = status == "verified"
        rows.append(
            {
                "audit_id": audit_id,
                "case_id": audit["case_id"],
                "source": "audit",
                "section_key": None,
                "description": rng.choice(ACTION_TEXT),
                "owner_id": audit["worker_id"],
                "raised_by_id": audit["auditor"],
                "raised_at": raised,
                "due_on": due,
                "priority": "high" if audit["overall"] == 4 else "normal",
                "status": status,
                "evidence": "Recorded on the child's file."
                if status in ("completed", "verified")
                else None,
                "completed_at": done if status in ("completed", "verified") else None,
                "verified_at": done + timedelta(days=3) if verified else None,
                "effectiveness": rng.choice(("yes", "yes", "partly", "no")) if verified else None,
                "version": 1,
            }
        )
    return rows
