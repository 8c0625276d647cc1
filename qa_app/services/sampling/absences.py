"""Absences and exemptions: the periods when someone cannot be given audits.

Allocation (qa_app.services.sampling.allocation) reduces a person's capacity by the working days of the
month they are away. An absence (leave, sickness, secondment) counts as soon as it is recorded.
An exemption from auditing counts only once the Director of Children's Services has approved
it: the QA lead records the request and the DCS approves it, or the DCS records it directly.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qa_app.extensions import db
from qa_app.models import Absence, User
from qa_app.models.vocab import TIER2_ROLES, TIER3_ROLES

KINDS = {"absence": "Absence (leave, sickness, secondment)", "exemption": "Exemption from auditing"}
MAX_DAYS = 366
AUDITOR_ROLES = frozenset((*TIER2_ROLES, *TIER3_ROLES))


class AbsenceError(ValueError):
    """A period the rules do not allow; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Period:
    user_id: int
    starts_on: date
    ends_on: date
    kind: str
    reason: str


def record(period: Period, *, by: User) -> Absence:
    """Record a period for a member of the audit pool; a DCS's own exemption is approved."""
    person = db.session.get(User, period.user_id)
    if person is None or not person.active:
        raise AbsenceError("user_id", "Choose an active member of staff")
    if not set(person.roles) & AUDITOR_ROLES:
        raise AbsenceError("user_id", f"{person.name} does not audit, so needs no absence")
    if period.kind not in KINDS:
        raise AbsenceError("kind", "Choose absence or exemption")
    if period.ends_on < period.starts_on:
        raise AbsenceError("ends_on", "The end date must be the same as or after the start date")
    if (period.ends_on - period.starts_on).days >= MAX_DAYS:
        raise AbsenceError("ends_on", "A period can be at most a year; record a longer one again")
    reason = period.reason.strip()
    if period.kind == "exemption" and not reason:
        raise AbsenceError("reason", "Enter why the exemption is needed")
    absence = Absence(
        user_id=person.id,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        kind=period.kind,
        reason=reason or None,
        approved_by_id=by.id if period.kind == "exemption" and may_approve(by) else None,
    )
    db.session.add(absence)
    db.session.flush()
    return absence


def may_approve(user: User) -> bool:
    """Only the Director of Children's Services approves exemptions."""
    return "dcs" in user.roles


def approve(absence: Absence, *, by: User) -> None:
    """The DCS approves an exemption; from then on allocation respects it."""
    if not may_approve(by):
        raise AbsenceError(
            "absence", "Only the Director of Children's Services approves exemptions"
        )
    if absence.kind != "exemption":
        raise AbsenceError("absence", "Only exemptions need approval")
    if absence.approved_by_id is not None:
        raise AbsenceError("absence", "This exemption is already approved")
    absence.approved_by_id = by.id
    db.session.flush()


def remove(absence: Absence) -> None:
    db.session.delete(absence)
    db.session.flush()


def current_and_future(today: date) -> list[Absence]:
    """Periods that have not ended, earliest first, pending exemptions among them."""
    return list(
        db.session.scalars(
            select(Absence)
            .options(joinedload(Absence.user), joinedload(Absence.approved_by))
            .where(Absence.ends_on >= today)
            .order_by(Absence.starts_on, Absence.id)
        )
    )


def pool() -> list[User]:
    """Active auditors, by name, for the form's list."""
    users = db.session.scalars(
        select(User).where(User.active.is_(True)).order_by(User.name, User.id)
    )
    return [u for u in users if set(u.roles) & AUDITOR_ROLES]
