"""Demo history of moderation, disputes, escalations and tier 3 reviews.

Runs over the submitted audits already in the database (the demo's audit history) and applies
the real rules: every Inadequate and Outstanding audit and a random 10% of the rest are
moderated, by a moderator chosen under the hard rules with the load balanced. The moderator's
blind grade is drawn near a hidden "true" grade: the auditor's grade corrected by how far that
auditor's grades sit from the council's (so auditors who grade generously across their audits
come out generous against moderators, as in real councils), plus some noise. Everything is
bulk-inserted (COPY on PostgreSQL), so 12,000 moderations take seconds.
"""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.models import (
    Assignment,
    Audit,
    AuditCycle,
    AuditEvent,
    AuditSectionGrade,
    Case,
    Dispute,
    EscalationTrigger,
    Moderation,
    ModerationSectionGrade,
    SampleItem,
    Team,
    Tier3Review,
    User,
    UserRole,
)
from qa_app.services.moderation.rules import MODERATOR_ROLES, ModerationRules
from qa_app.services.platform.calendar import add_working_days

BIAS_SHRINK = 5  # audits' worth of shrinkage towards no bias for auditors with few audits


def _clamp(value: float) -> int:
    return max(1, min(4, round(value)))


def _audits(today: date) -> list[tuple]:
    query = (
        select(
            Audit.id,
            Audit.auditor_id,
            Audit.case_id,
            Case.team_id,
            Team.locality_id,
            Audit.overall_grade,
            Audit.submitted_at,
            AuditCycle.month,
        )
        .join(Case, Case.id == Audit.case_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .join(Assignment, Assignment.id == Audit.assignment_id)
        .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
        .join(AuditCycle, AuditCycle.id == SampleItem.cycle_id)
        .where(
            Audit.status.in_(("submitted", "moderated", "closed")),
            Audit.overall_grade.is_not(None),
            Audit.submitted_at.is_not(None),
            Audit.id.not_in(select(Moderation.audit_id)),
        )
        .order_by(Audit.submitted_at, Audit.id)
    )
    return [tuple(row) for row in db.session.execute(query)]


def _section_grades() -> dict[int, list[tuple[str, int | None]]]:
    """The auditor's section grades of every moderated audit, in one query."""
    grades: dict[int, list] = defaultdict(list)
    rows = db.session.execute(
        select(AuditSectionGrade.audit_id, AuditSectionGrade.section_key, AuditSectionGrade.grade)
        .join(Moderation, Moderation.audit_id == AuditSectionGrade.audit_id)
        .order_by(AuditSectionGrade.id)
    )
    for audit_id, key, grade in rows:
        grades[audit_id].append((key, grade))
    return grades


def _people() -> tuple[list[tuple[int, int | None]], dict[int, int], int | None]:
    """(moderator pool as (id, team), head of service by locality, a DCS)."""
    rows = db.session.execute(
        select(User.id, User.team_id, User.locality_id, Team.locality_id, UserRole.role)
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.active.is_(True), User.pending.is_(False))
        .order_by(User.id)
    ).all()
    pool, heads, dcs = {}, {}, None
    for user_id, team_id, own_locality, team_locality, role in rows:
        if role in MODERATOR_ROLES:
            pool[user_id] = team_id
        if role == "head_of_service":
            heads.setdefault(own_locality or team_locality, user_id)
        if role == "dcs" and dcs is None:
            dcs = user_id
    return sorted(pool.items()), heads, dcs


def _biases(audits: list[tuple]) -> dict[int, float]:
    """How far each auditor's mean grade code sits from the council's (negative: generous)."""
    grades: dict[int, list[int]] = defaultdict(list)
    for row in audits:
        grades[row[1]].append(row[5])
    everyone = [g for values in grades.values() for g in values]
    mean = sum(everyone) / len(everyone)
    return {
        auditor: (sum(values) / len(values) - mean) * len(values) / (len(values) + BIAS_SHRINK)
        for auditor, values in grades.items()
    }


def _choose(pool, loads, auditor_id, team_id) -> int | None:
    best = None
    for user_id, user_team in pool:
        if user_id == auditor_id or (team_id is not None and user_team == team_id):
            continue
        if best is None or loads[user_id] < loads[best]:
            best = user_id
    if best is not None:
        loads[best] += 1
    return best


def seed_moderation_history(*, today: date, rng: random.Random) -> dict:
    """Moderate, dispute and escalate the submitted audits in the database (flushes).

    Does nothing when there are no submitted audits, or when moderations exist already. Audits submitted in the last 10 working
    days are left partly unfinished, as a live service would have them.
    """
    if db.session.scalar(select(Moderation.id).limit(1)) is not None:
        return {"moderations": 0, "disputes": 0, "tier3_reviews": 0}  # made already
    audits = _audits(today)
    if not audits:
        return {"moderations": 0, "disputes": 0, "tier3_reviews": 0}
    rules = ModerationRules()
    pool, heads, dcs = _people()
    biases = _biases(audits)
    loads = {user_id: 0 for user_id, _ in pool}
    recent = add_working_days(today, -rules.due_working_days)

    chosen = []
    for row in audits:
        grade = row[5]
        draw = rng.random()
        if grade == 4:
            chosen.append((row, "inadequate"))
        elif grade == 1:
            chosen.append((row, "outstanding"))
        elif draw < rules.random_share:
            chosen.append((row, "random"))

    moderations, section_rows, events, reported = [], [], [], {}
    plans = {}
    for row, reason in chosen:
        audit_id, auditor_id, _case, team_id, _loc, grade, submitted_at, _month = row
        moderator = _choose(pool, loads, auditor_id, team_id)
        bias = biases[auditor_id]
        blind = _clamp(grade - bias + rng.gauss(0, 0.45))
        submitted_on = submitted_at.date()
        due_on = add_working_days(submitted_on, rules.due_working_days)
        stage = "completed"
        if moderator is None:
            stage = "unassigned"
        elif submitted_on >= recent:
            stage = rng.choice(("assigned", "compared", "completed"))
        blind_at = submitted_at + timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 6))
        final = blind if rng.random() > 0.2 or abs(blind - grade) != 1 else grade
        done_at = blind_at + timedelta(hours=rng.randint(1, 30))
        completed = stage == "completed"
        moderations.append(
            {
                "audit_id": audit_id,
                "moderator_id": moderator,
                "reason": reason,
                "status": stage,
                "selected_at": submitted_at,
                "selected_by_id": None,
                "due_on": due_on,
                "unassigned_reason": None if moderator else "No eligible moderator is available",
                "blind_overall_grade": blind if stage in ("compared", "completed") else None,
                "blind_rationale": "Demo moderation"
                if stage in ("compared", "completed")
                else None,
                "blind_at": blind_at if stage in ("compared", "completed") else None,
                "final_overall_grade": final if completed else None,
                "final_overall_reason": (
                    "Moderator's view of the evidence" if completed and final != grade else None
                ),
                "completed_at": done_at if completed else None,
            }
        )
        plans[audit_id] = (stage, bias, done_at, final, grade)
        if completed:
            reported[audit_id] = final
    insert_rows(Moderation.__table__, moderations)
    ids = dict(db.session.execute(select(Moderation.audit_id, Moderation.id)).all())
    sections = _section_grades()

    for audit_id, (stage, bias, done_at, _final, _grade) in plans.items():
        if stage not in ("compared", "completed"):
            continue
        for key, auditor_grade in sections.get(audit_id, []):
            blind = (
                None if auditor_grade is None else _clamp(auditor_grade - bias + rng.gauss(0, 0.5))
            )
            section_rows.append(
                {
                    "moderation_id": ids[audit_id],
                    "section_key": key,
                    "blind_grade": blind,
                    "final_grade": blind if stage == "completed" else None,
                    "change_reason": (
                        "Moderator's view of the evidence"
                        if stage == "completed" and blind != auditor_grade
                        else None
                    ),
                }
            )
        if stage == "completed":
            events.append(
                {
                    "audit_id": audit_id,
                    "at": done_at,
                    "by_id": None,
                    "kind": "moderated",
                    "detail": {},
                }
            )
    insert_rows(ModerationSectionGrade.__table__, section_rows)
    completed = select(Moderation.audit_id).where(Moderation.status == "completed")
    db.session.execute(
        update(Audit)
        .where(Audit.id.in_(completed))
        .values(
            moderated_grade=select(Moderation.final_overall_grade)
            .where(Moderation.audit_id == Audit.id)
            .scalar_subquery(),
            status="moderated",
        )
        .execution_options(synchronize_session=False)
    )

    disputes = _disputes(plans, ids, audits, heads, rng, today, reported)
    insert_rows(AuditEvent.__table__, events)
    reviews = _escalations(audits, reported, heads, dcs, rules, rng, today)
    db.session.flush()
    return {
        "moderations": len(moderations),
        "disputes": disputes,
        "tier3_reviews": reviews,
    }


def _disputes(plans, ids, audits, heads, rng, today, reported) -> int:
    by_id = {row[0]: row for row in audits}
    rows = []
    for audit_id, (stage, _bias, done_at, final, grade) in plans.items():
        if stage != "completed" or final == grade or rng.random() > 0.25:
            continue
        raised = done_at + timedelta(days=rng.randint(0, 4))
        decider = heads.get(by_id[audit_id][4])
        pending = raised.date() > today - timedelta(days=7) or decider is None
        upheld = not pending and rng.random() < 0.3
        rows.append(
            {
                "moderation_id": ids[audit_id],
                "raised_by_id": by_id[audit_id][1],
                "raised_at": raised,
                "reason": "I judged the evidence differently",
                "decider_id": decider,
                "status": "pending" if pending else ("upheld" if upheld else "rejected"),
                "decided_by_id": None if pending else decider,
                "decided_at": None if pending else raised + timedelta(days=rng.randint(1, 6)),
                "decided_grade": grade if upheld else None,
                "decision_note": None if pending else "Decided on the evidence in the file",
            }
        )
        if upheld:
            reported[audit_id] = grade
    insert_rows(Dispute.__table__, rows)
    upheld_rows = [r for r in rows if r["status"] == "upheld"]
    if upheld_rows:
        moderation_to_audit = {v: k for k, v in ids.items()}
        db.session.execute(
            update(Audit),
            [
                {
                    "id": moderation_to_audit[r["moderation_id"]],
                    "moderated_grade": r["decided_grade"],
                }
                for r in upheld_rows
            ],
        )
    return len(rows)


def _escalations(audits, reported, heads, dcs, rules, rng, today) -> int:
    triggers, reviews = [], {}
    recent = add_working_days(today, -rules.tier3_due_working_days)
    last_by_case: dict[int, int] = {}
    team_month: dict[tuple[int, str], list[int]] = defaultdict(list)

    def fire(key, kind, fired_at, reviewer, role, withdrawn=False, **fields):
        blank = {"audit_id": None, "case_id": None, "team_id": None, "month": None, "detail": {}}
        triggers.append({"key": key, "kind": kind, "fired_at": fired_at} | blank | fields)
        open_ = fired_at.date() >= recent
        reviews[key] = {
            "reviewer_id": reviewer,
            "reviewer_role": role,
            "status": "withdrawn" if withdrawn else ("open" if open_ else "completed"),
            "created_at": fired_at,
            "due_on": add_working_days(fired_at.date(), rules.tier3_due_working_days),
            "confirmed": None if kind != "inadequate_audit" else not withdrawn,
            "withdrawn_reason": "Moderation changed the overall grade" if withdrawn else None,
            "agrees_grade": None if withdrawn or open_ else rng.random() < 0.85,
            "reaudit_by": None if withdrawn or open_ else fired_at.date() + timedelta(days=90),
            "completed_at": None if withdrawn or open_ else fired_at + timedelta(days=3),
            "completed_by_id": None if withdrawn or open_ else reviewer,
            "overseen_by_id": None if withdrawn or open_ else reviewer,
        }

    for audit_id, _auditor, case_id, team_id, locality_id, grade, at, month in audits:
        final = reported.get(audit_id, grade)
        if grade == 4 or final == 4:
            fire(
                f"inadequate_audit:{audit_id}",
                "inadequate_audit",
                at,
                heads.get(locality_id),
                "head_of_service",
                withdrawn=final != 4,
                audit_id=audit_id,
                case_id=case_id,
                team_id=team_id,
            )
        if final == 4 and last_by_case.get(case_id) == 4:
            fire(
                f"repeat_inadequate:{audit_id}",
                "repeat_inadequate",
                at,
                dcs,
                "dcs",
                audit_id=audit_id,
                case_id=case_id,
                team_id=team_id,
            )
        last_by_case[case_id] = final
        if team_id is not None:
            team_month[(team_id, month)].append(final)
    for (team_id, month), grades in sorted(team_month.items()):
        bad = sum(g == 4 for g in grades)
        if len(grades) >= rules.team_min_audits and bad >= rules.team_inadequate_share * len(
            grades
        ):
            year, mon = int(month[:4]), int(month[5:])
            fired_at = datetime(year, mon, 28, 7, 0)
            if fired_at.date() > today:
                continue
            fire(
                f"team_month:{team_id}:{month}",
                "team_month",
                fired_at,
                dcs,
                "dcs",
                team_id=team_id,
                month=month,
                detail={"audits": len(grades), "inadequate": bad},
            )
    insert_rows(EscalationTrigger.__table__, triggers)
    ids = dict(db.session.execute(select(EscalationTrigger.key, EscalationTrigger.id)).all())
    insert_rows(
        Tier3Review.__table__, [{"trigger_id": ids[key]} | row for key, row in reviews.items()]
    )
    return len(reviews)
