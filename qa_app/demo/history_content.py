"""The content of the demo's audits: section grades around a target, evidence, compliance
answers, the auditor's rationale, and the actions auditors raise."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from random import Random

from qa_app.models.toolkit_definition import ToolkitDefinition
from qa_app.services.audits.grading import GradedSection, suggest_grade
from qa_app.services.platform.calendar import add_working_days


@lru_cache(maxsize=4096)
def _add_working_days(day: date, days: int) -> date:
    return add_working_days(day, days)


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


ACTION_TEXT: Sequence[str] = (
    "Update the chronology and use it in the next supervision.",
    "Make the plan SMART, with the child's words in it.",
    "Record management oversight of the current plan.",
    "Complete the overdue statutory visit and see the child alone.",
)


def actions_for(audit: dict, audit_id: int, rng: Random, today: date) -> list[dict]:
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


@dataclass(frozen=True, eq=False)
class Kit:
    version_id: int
    definition: ToolkitDefinition


def _score_to_grade(score: float) -> int:
    if score < 1.6:
        return 1
    if score < 2.5:
        return 2
    if score < 3.45:
        return 3
    return 4


@lru_cache(maxsize=64)
def _section_plan(kit: Kit, cohort: str) -> tuple[tuple[str, bool, float, bool], ...]:
    """Per section of *kit* for *cohort*: key, not applicable, grade shift, safety critical."""
    na = NOT_APPLICABLE.get(cohort, set())
    return tuple(
        (
            section.key,
            section.may_be_not_applicable
            and (section.key in na or (section.key == "strategy_discussions" and cohort != "cp")),
            SECTION_SHIFT.get(section.key, 0.0),
            section.safety_critical,
        )
        for section in kit.definition.sections
    )


@lru_cache(maxsize=64)
def _compliance_plan(kit: Kit, cohort: str) -> tuple[tuple[str, bool, float], ...]:
    """Per compliance question of *kit* for *cohort*: key, answered n/a, chance shift."""
    na = COMPLIANCE_NA.get(cohort, set())
    return tuple(
        (
            question.key,
            question.key in na and question.not_applicable_allowed,
            COMPLIANCE_SHIFT.get(question.key, 0.0),
        )
        for question in kit.definition.compliance
    )


def _section_grades(
    kit: Kit, cohort: str, target: int, rng: Random
) -> list[tuple[str, int | None, bool]]:
    """(section key, grade or None when not applicable, safety critical) around *target*."""
    out = []
    random = rng.random
    for key, not_applicable, shift, critical in _section_plan(kit, cohort):
        if not_applicable:
            out.append((key, None, critical))
            continue
        draw = random()
        grade = target + (1 if draw < 0.18 + shift else -1 if draw > 0.82 + shift else 0)
        grade = min(4, max(1, grade))
        if critical and grade == 4 and target < 4:
            grade = 3  # an inadequate safety-critical section would make the audit inadequate
        out.append((key, grade, critical))
    if target == 4 and not any(g == 4 and sc for _k, g, sc in out):
        critical = [i for i, (_k, g, sc) in enumerate(out) if sc and g is not None]
        if critical:
            key, _g, sc = out[critical[0]]
            out[critical[0]] = (key, 4, sc)
    return out


def audit_rows(
    plan,
    case_by_id,
    kits,
    assignment_ids,
    team_effect,
    auditor_bias,
    cohort_effect,
    rng,
    today,
) -> tuple[list[dict], dict[int, dict]]:
    rows: list[dict] = []
    keyed: dict[int, dict] = {}
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
        p_yes = P_YES[overall or 3]
        for key, not_applicable, shift in _compliance_plan(kit, case.cohort):
            if not_applicable:
                compliance[key] = "na"
            else:
                compliance[key] = "yes" if rng.random() < p_yes + shift else "no"
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
                "answers": answers if not draft else {"sections": {}, "compliance": {}},
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
