"""Choosing audits for moderation and giving each to a moderator.

Every Inadequate and every Outstanding audit is moderated, plus a random share of the rest,
drawn from the cycle's stored seed and the audit's id (reproducible); qa_admin may add any submitted audit. A moderator comes from the pool (independent
auditor, senior managers, heads of service, PSW) under hard rules that are never broken: not
the auditor, not someone in the case's team, not the case's worker or IRO, not absent today.
Among those eligible, the one with the fewest open moderations gets it (ties broken by the
random generator, so a seed reproduces the choice).
"""

import random
from datetime import date, datetime

from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Absence, Audit, AuditEvent, Case, Moderation, Team, User, UserRole
from qa_app.models.toolkit_definition import INADEQUATE
from qa_app.services.moderation.rules import MODERATOR_ROLES, ModerationRules
from qa_app.services.platform.calendar import add_working_days
from qa_app.services.platform.notifications import Message, notify

OPEN_MODERATION = ("assigned", "compared")


class ModerationError(ValueError):
    """A moderation step that cannot be done as asked; the message says why."""


def locality_head(case: Case) -> User | None:
    """The head of service of the case's locality (the lowest id if there are several)."""
    locality_id = case.team.locality_id if case.team is not None else None
    if locality_id is None:
        return None
    team_ids = select(Team.id).where(Team.locality_id == locality_id)
    return db.session.scalar(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == "head_of_service",
            User.active.is_(True),
            User.pending.is_(False),
            (User.locality_id == locality_id)
            | (User.locality_id.is_(None) & User.team_id.in_(team_ids)),
        )
        .order_by(User.id)
        .limit(1)
    )


def selection_reason(audit: Audit, *, rng: random.Random, rules: ModerationRules) -> str | None:
    """Why *audit* must be moderated ("inadequate", "outstanding", "random"), or None."""
    if audit.overall_grade == 4:
        return "inadequate"
    if audit.overall_grade == 1:
        return "outstanding"
    # Always draw, so the sequence of draws (and so a seeded run) does not depend on grades.
    draw = rng.random()
    return "random" if draw < rules.random_share else None


def selection_rng(audit: Audit) -> random.Random:
    """The draw for the random share, seeded by the cycle's stored seed and the audit, so the
    choice can be reproduced (and checked) later, and no one can influence it."""
    return random.Random(f"moderation:{audit.assignment.item.cycle.seed}:{audit.id}")


def eligible_moderators(audit: Audit, *, today: date) -> list[User]:
    """Everyone in the pool who may moderate *audit* under the hard rules."""
    case = audit.case
    excluded = {audit.auditor_id, case.worker_id, case.iro_id} - {None}
    if audit.overall_grade == INADEQUATE:
        # The locality's head of service reviews an Inadequate audit at tier 3 with the
        # auditor's grade in front of them: they cannot also grade it blind.
        head = locality_head(case)
        if head is not None:
            excluded.add(head.id)
    absent = select(Absence.user_id).where(Absence.starts_on <= today, Absence.ends_on >= today)
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role.in_(MODERATOR_ROLES),
            User.active.is_(True),
            User.pending.is_(False),
            User.id.not_in(absent),
        )
        .distinct()
        .order_by(User.id)
    )
    if excluded:
        query = query.where(User.id.not_in(excluded))
    if case.team_id is not None:
        query = query.where((User.team_id.is_(None)) | (User.team_id != case.team_id))
    return list(db.session.scalars(query))


def choose_moderator(audit: Audit, *, today: date, rng: random.Random) -> User | None:
    """The eligible moderator with the fewest open moderations (None if nobody is eligible)."""
    candidates = eligible_moderators(audit, today=today)
    if not candidates:
        return None
    loads = dict(
        db.session.execute(
            select(Moderation.moderator_id, func.count())
            .where(
                Moderation.moderator_id.in_([u.id for u in candidates]),
                Moderation.status.in_(OPEN_MODERATION),
            )
            .group_by(Moderation.moderator_id)
        ).all()
    )
    keyed = [(loads.get(user.id, 0), rng.random(), user.id, user) for user in candidates]
    return min(keyed, key=lambda row: row[:3])[3]


def _open(
    audit: Audit,
    reason: str,
    *,
    by: User | None,
    now: datetime,
    rng: random.Random,
    rules: ModerationRules,
    base_url: str,
) -> Moderation:
    moderator = choose_moderator(audit, today=now.date(), rng=rng)
    moderation = Moderation(
        audit_id=audit.id,
        moderator_id=moderator.id if moderator else None,
        reason=reason,
        status="assigned" if moderator else "unassigned",
        selected_at=now,
        selected_by_id=by.id if by else None,
        due_on=add_working_days(now.date(), rules.due_working_days),
        unassigned_reason=None if moderator else "No eligible moderator is available",
    )
    db.session.add(moderation)
    db.session.flush()
    db.session.add(
        AuditEvent(
            audit_id=audit.id,
            at=now,
            by_id=by.id if by else None,
            kind="selected_for_moderation",
            detail={"reason": reason, "moderator_id": moderation.moderator_id},
        )
    )
    if moderator is not None:
        tell_moderator(moderation, now=now, base_url=base_url)
    else:
        _tell_admins_unassigned(moderation, now=now, base_url=base_url)
    return moderation


def _tell_admins_unassigned(moderation: Moderation, *, now: datetime, base_url: str) -> None:
    admins = db.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "qa_admin", User.active.is_(True), User.pending.is_(False))
    )
    for admin in admins:
        notify(
            admin,
            Message(
                kind="moderation_unassigned",
                subject=f"Audit {moderation.audit_id} needs a moderator",
                body="No eligible moderator was available: choose one on the moderation page.",
                link=f"/moderation/all#moderation-{moderation.id}",
            ),
            dedupe_key=f"moderation-unassigned-{moderation.id}-{admin.id}",
            now=now,
            base_url=base_url,
        )


def tell_moderator(moderation: Moderation, *, now: datetime, base_url: str) -> None:
    notify(
        moderation.moderator,
        Message(
            kind="moderation_assigned",
            subject=f"Audit {moderation.audit_id} to moderate by {moderation.due_on:%d %B %Y}",
            body=(
                f"You have been asked to moderate audit {moderation.audit_id}. Grade it before "
                "you see the auditor's grades."
            ),
            link=f"/moderation/{moderation.id}",
        ),
        dedupe_key=f"moderation-assigned-{moderation.id}-{moderation.moderator_id}",
        now=now,
        base_url=base_url,
    )


def select_on_submission(
    audit: Audit,
    *,
    now: datetime,
    rng: random.Random,
    rules: ModerationRules,
    base_url: str,
) -> Moderation | None:
    """Step of ``after_submission``: moderate *audit* if the rules choose it (flushes)."""
    existing = db.session.scalar(select(Moderation).where(Moderation.audit_id == audit.id))
    if existing is not None:
        return existing
    reason = selection_reason(audit, rng=selection_rng(audit), rules=rules)
    if reason is None:
        return None
    return _open(audit, reason, by=None, now=now, rng=rng, rules=rules, base_url=base_url)


def add_for_moderation(
    audit: Audit,
    *,
    by: User,
    now: datetime,
    rng: random.Random,
    rules: ModerationRules,
    base_url: str,
) -> Moderation:
    """qa_admin adds a submitted audit to moderation by hand."""
    if audit.status not in ("submitted", "moderated", "closed"):
        raise ModerationError(f"Audit {audit.id} has not been submitted yet")
    if db.session.scalar(select(Moderation.id).where(Moderation.audit_id == audit.id)):
        raise ModerationError(f"Audit {audit.id} is already being moderated")
    return _open(audit, "admin", by=by, now=now, rng=rng, rules=rules, base_url=base_url)


def reassign(
    moderation: Moderation, moderator: User, *, by: User, now: datetime, base_url: str
) -> None:
    """qa_admin gives an unfinished moderation to another eligible moderator."""
    if moderation.blind_done:
        raise ModerationError("The blind grades are in: the moderation cannot change hands")
    eligible = {u.id for u in eligible_moderators(moderation.audit, today=now.date())}
    if moderator.id not in eligible:
        raise ModerationError(f"{moderator.name} may not moderate this audit")
    moderation.moderator_id = moderator.id
    moderation.moderator = moderator
    moderation.status = "assigned"
    moderation.unassigned_reason = None
    db.session.add(
        AuditEvent(
            audit_id=moderation.audit_id,
            at=now,
            by_id=by.id,
            kind="moderator_changed",
            detail={"moderator_id": moderator.id},
        )
    )
    db.session.flush()
    tell_moderator(moderation, now=now, base_url=base_url)


def open_moderations(limit: int = 500) -> list[Moderation]:
    """Moderations not yet completed, soonest due first (qa_admin's list)."""
    return list(
        db.session.scalars(
            select(Moderation)
            .where(Moderation.status != "completed")
            .order_by(Moderation.due_on, Moderation.id)
            .limit(limit)
        )
    )


def moderators() -> list[User]:
    """Active people in the moderator pool, by name (whom qa_admin may give a moderation to)."""
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name))
    return [u for u in users if u.has_role(*MODERATOR_ROLES)]
