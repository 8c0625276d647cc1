"""The monthly report's figures, each one grouped SQL query (never a loop over audits).

The month's audits are the assignments of that month's audit cycle (published ones: not
``proposed``), scoped by the team the case was sampled from. Grades are *reported* grades: the
moderated grade where moderation changed it, else the auditor's. Percentages of fewer than
``MIN_N`` audits are suppressed (None) and flagged, as official statistics do for small numbers.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, and_, case, func, literal, select

from qa_app.extensions import db
from qa_app.models import (
    Action,
    Assignment,
    Audit,
    AuditComplianceAnswer,
    AuditCycle,
    AuditSectionGrade,
    Case,
    Locality,
    SampleItem,
    Team,
    User,
    UserRole,
)
from qa_app.models.actions import OPEN_STATUSES
from qa_app.models.toolkit_definition import REPORTED_COMPLIANCE
from qa_app.models.vocab import COHORTS, ROLES, TIER2_ROLES, TIER3_ROLES
from qa_app.services.platform.months import first_day, first_day_after
from qa_app.services.reports.scope import ReportScope

MIN_N = 5
GRADE_CODES = (1, 2, 3, 4)
SUBMITTED = ("submitted", "moderated", "closed")


@dataclass(frozen=True)
class Filters:
    """Narrowing used by dashboards: one cohort, random sample only."""

    cohort: str | None = None
    random_only: bool = False


NO_FILTERS = Filters()


def reported_grade():
    return func.coalesce(Audit.moderated_grade, Audit.overall_grade)


def month_items(
    month: str | Sequence[str], scope: ReportScope, filters: Filters = NO_FILTERS
) -> Select:
    """Assignment, sample item and cycle joined and filtered to *month* (or months) and *scope*."""
    months = [month] if isinstance(month, str) else list(month)
    query = (
        select()
        .select_from(Assignment)
        .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
        .join(AuditCycle, AuditCycle.id == SampleItem.cycle_id)
        .where(
            AuditCycle.month.in_(months),
            Assignment.status != "proposed",
            scope.team_condition(SampleItem.team_id),
        )
    )
    if filters.cohort:
        query = query.where(SampleItem.cohort == filters.cohort)
    if filters.random_only:
        query = query.where(SampleItem.selection == "random")
    return query


def submitted_audits(
    month: str | Sequence[str], scope: ReportScope, filters: Filters = NO_FILTERS
) -> Select:
    return (
        month_items(month, scope, filters)
        .join(Audit, Audit.assignment_id == Assignment.id)
        .where(Audit.status.in_(SUBMITTED), Audit.overall_grade.is_not(None))
    )


def pct(part: int, whole: int) -> float | None:
    """part/whole as a percentage to one decimal place, None when whole < MIN_N (suppressed)."""
    if whole < MIN_N:
        return None
    return round(100 * part / whole, 1)


# --- completion -------------------------------------------------------------------------------

_AUDITOR_ROLES = TIER2_ROLES + TIER3_ROLES


def _auditor_role():
    """Each auditor's audit role (the first of their auditing roles, alphabetically)."""
    return (
        select(UserRole.user_id, func.min(UserRole.role).label("role"))
        .where(UserRole.role.in_(_AUDITOR_ROLES))
        .group_by(UserRole.user_id)
        .subquery()
    )


def completion(
    month: str, scope: ReportScope, *, as_of: date, by: str | None = None, filters=NO_FILTERS
) -> list[dict]:
    """Audits expected, completed, late, outstanding and overdue (at *as_of*), optionally by
    ``team``, ``role`` or ``auditor``. Late: completed after the (extended) due date."""
    due = func.coalesce(Assignment.extended_to, Assignment.due_on)
    done = Assignment.status == "completed"
    counts = [
        func.count().label("expected"),
        func.sum(case((done, 1), else_=0)).label("completed"),
        func.sum(case((and_(done, Assignment.completed_on > due), 1), else_=0)).label("late"),
        func.sum(case((done, 0), else_=1)).label("outstanding"),
        func.sum(case((and_(~done, due < as_of), 1), else_=0)).label("overdue"),
    ]
    query = month_items(month, scope, filters)
    if by is None:
        label = literal("All")
    elif by == "team":
        query = query.outerjoin(Team, Team.id == SampleItem.team_id)
        label = func.coalesce(Team.name, "No team")
    elif by == "auditor":
        query = query.join(User, User.id == Assignment.auditor_id)
        label = func.coalesce(User.name, User.email)
    elif by == "role":
        roles = _auditor_role()
        query = query.outerjoin(roles, roles.c.user_id == Assignment.auditor_id)
        label = func.coalesce(roles.c.role, "other")
    else:
        raise ValueError(f"cannot group completion by {by!r}")
    rows = db.session.execute(
        query.add_columns(label.label("label"), *counts).group_by(label).order_by(label)
    ).all()
    out = []
    for row in rows:
        item = {
            "label": ROLES.get(row.label, row.label) if by == "role" else row.label,
            "expected": row.expected,
            "completed": int(row.completed or 0),
            "late": int(row.late or 0),
            "outstanding": int(row.outstanding or 0),
            "overdue": int(row.overdue or 0),
        }
        item["completed_pct"] = pct(item["completed"], item["expected"])
        out.append(item)
    if by is None and not out:
        out = [
            {"label": "All", "expected": 0, "completed": 0, "late": 0, "outstanding": 0}
            | {"overdue": 0, "completed_pct": None}
        ]
    return out


# --- grades -----------------------------------------------------------------------------------


def grade_row(label: str, counts: dict[int, int], *, target: float) -> dict:
    """One row of a grade table: counts 1-4, n, % good or better, % inadequate vs target."""
    n = sum(counts.get(g, 0) for g in GRADE_CODES)
    row = {"label": label, "n": n, **{str(g): counts.get(g, 0) for g in GRADE_CODES}}
    row["good_or_better_pct"] = pct(counts.get(1, 0) + counts.get(2, 0), n)
    row["inadequate_pct"] = pct(counts.get(4, 0), n)
    row["above_target"] = row["inadequate_pct"] is not None and row["inadequate_pct"] > target
    row["suppressed"] = n < MIN_N
    return row


def dimension(query: Select, by: str | None):
    if by is None:
        return query, literal("All")
    if by == "team":
        query = query.outerjoin(Team, Team.id == SampleItem.team_id)
        return query, func.coalesce(Team.name, "No team")
    if by == "locality":
        query = query.outerjoin(Team, Team.id == SampleItem.team_id).outerjoin(
            Locality, Locality.id == Team.locality_id
        )
        return query, func.coalesce(Locality.name, "No locality")
    if by == "cohort":
        return query, SampleItem.cohort
    if by == "selection":
        return query, SampleItem.selection
    if by == "auditor":
        return query.join(User, User.id == Audit.auditor_id), func.coalesce(User.name, User.email)
    raise ValueError(f"cannot group grades by {by!r}")


LABELS = {"selection": {"random": "Random sample", "thematic": "Thematic", "tier3": "Tier 3"}}


def grades(
    month: str, scope: ReportScope, *, target: float, by: str | None = None, filters=NO_FILTERS
) -> list[dict]:
    """Reported-grade distribution, overall or by locality, team, cohort, selection, auditor."""
    query, label = dimension(submitted_audits(month, scope, filters), by)
    grade = reported_grade()
    rows = db.session.execute(
        query.add_columns(label.label("label"), grade.label("grade"), func.count().label("n"))
        .group_by(label, grade)
        .order_by(label)
    ).all()
    counts: dict[str, dict[int, int]] = {}
    for row in rows:
        counts.setdefault(row.label, {})[row.grade] = row.n
    if by is None:
        return [grade_row("All", counts.get("All", {}), target=target)]
    names = COHORTS if by == "cohort" else LABELS.get(by, {})
    return [grade_row(names.get(k, k), v, target=target) for k, v in counts.items()]


def grade_summary(month: str, scope: ReportScope, *, target: float, filters=NO_FILTERS) -> dict:
    return grades(month, scope, target=target, filters=filters)[0]


def moderation(month: str, scope: ReportScope) -> dict:
    """How many submitted audits were moderated, and how many grades moderation changed."""
    query = submitted_audits(month, scope).add_columns(
        func.count().label("audits"),
        func.sum(case((Audit.moderated_grade.is_not(None), 1), else_=0)).label("moderated"),
        func.sum(
            case(
                (
                    and_(
                        Audit.moderated_grade.is_not(None),
                        Audit.moderated_grade != Audit.overall_grade,
                    ),
                    1,
                ),
                else_=0,
            )
        ).label("changed"),
    )
    row = db.session.execute(query).one()
    audits, moderated = row.audits or 0, int(row.moderated or 0)
    return {
        "audits": audits,
        "moderated": moderated,
        "changed": int(row.changed or 0),
        "moderation_rate_pct": round(100 * moderated / audits, 1) if audits else None,
    }


# --- sections and compliance ------------------------------------------------------------------


def sections(month: str, scope: ReportScope, *, filters=NO_FILTERS) -> list[dict]:
    """Per toolkit section: graded n, not applicable, counts 1-4 and % good or better."""
    query = (
        submitted_audits(month, scope, filters)
        .join(AuditSectionGrade, AuditSectionGrade.audit_id == Audit.id)
        .add_columns(
            AuditSectionGrade.section_key.label("key"),
            AuditSectionGrade.grade.label("grade"),
            func.count().label("n"),
        )
        .group_by(AuditSectionGrade.section_key, AuditSectionGrade.grade)
    )
    by_key: dict[str, dict] = {}
    for row in db.session.execute(query):
        entry = by_key.setdefault(row.key, {"key": row.key, "not_applicable": 0, "counts": {}})
        if row.grade is None:
            entry["not_applicable"] += row.n
        else:
            entry["counts"][row.grade] = row.n
    out = []
    for key, entry in sorted(by_key.items()):
        counts = entry["counts"]
        n = sum(counts.values())
        out.append(
            {
                "key": key,
                "n": n,
                "not_applicable": entry["not_applicable"],
                **{str(g): counts.get(g, 0) for g in GRADE_CODES},
                "good_or_better_pct": pct(counts.get(1, 0) + counts.get(2, 0), n),
                "inadequate_pct": pct(counts.get(4, 0), n),
                "suppressed": n < MIN_N,
            }
        )
    return out


def strongest_and_weakest(section_rows: list[dict], count: int = 3) -> tuple[list, list]:
    """The sections with the highest and lowest % good or better (suppressed ones left out)."""
    ranked = sorted(
        (r for r in section_rows if r["good_or_better_pct"] is not None),
        key=lambda r: (-r["good_or_better_pct"], r["key"]),
    )
    strongest = ranked[:count]
    weakest = [r for r in reversed(ranked) if r not in strongest][:count]
    return strongest, weakest


def compliance(month: str, scope: ReportScope, *, filters=NO_FILTERS) -> list[dict]:
    """The reported compliance items: yes, no, not applicable, % yes of those answered."""
    query = (
        submitted_audits(month, scope, filters)
        .join(AuditComplianceAnswer, AuditComplianceAnswer.audit_id == Audit.id)
        .where(AuditComplianceAnswer.question_key.in_(list(REPORTED_COMPLIANCE)))
        .add_columns(
            AuditComplianceAnswer.question_key.label("key"),
            AuditComplianceAnswer.answer.label("answer"),
            func.count().label("n"),
        )
        .group_by(AuditComplianceAnswer.question_key, AuditComplianceAnswer.answer)
    )
    counts: dict[str, dict[str, int]] = {k: {} for k in REPORTED_COMPLIANCE}
    for row in db.session.execute(query):
        counts[row.key][row.answer] = row.n
    out = []
    for key, label in REPORTED_COMPLIANCE.items():
        yes, no, na = (counts[key].get(a, 0) for a in ("yes", "no", "na"))
        out.append(
            {
                "key": key,
                "label": label,
                "yes": yes,
                "no": no,
                "not_applicable": na,
                "yes_pct": pct(yes, yes + no),
            }
        )
    return out


# --- actions ----------------------------------------------------------------------------------


def actions(month: str, scope: ReportScope, *, as_of: date) -> dict:
    """Actions raised, completed and verified in the month; overdue at *as_of*; of those
    verified in the month, how many made a difference (effective: yes) or partly."""
    start = datetime.combine(first_day(month), time())
    end = datetime.combine(first_day_after(month), time())

    def within(column):
        return and_(column >= start, column < end)

    query = (
        select(
            func.sum(case((within(Action.raised_at), 1), else_=0)).label("raised"),
            func.sum(case((within(Action.completed_at), 1), else_=0)).label("completed"),
            func.sum(case((within(Action.verified_at), 1), else_=0)).label("verified"),
            func.sum(
                case((and_(Action.status.in_(OPEN_STATUSES), Action.due_on < as_of), 1), else_=0)
            ).label("overdue"),
            func.sum(
                case((and_(within(Action.verified_at), Action.effectiveness == "yes"), 1), else_=0)
            ).label("effective"),
            func.sum(
                case(
                    (and_(within(Action.verified_at), Action.effectiveness == "partly"), 1),
                    else_=0,
                )
            ).label("partly_effective"),
        )
        .select_from(Action)
        .join(Case, Case.id == Action.case_id)
        .where(scope.team_condition(Case.team_id))
    )
    row = db.session.execute(query).one()
    return {key: int(getattr(row, key) or 0) for key in row._fields}
