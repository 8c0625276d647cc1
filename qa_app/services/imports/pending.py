"""Confirming or merging the pending teams and staff that imports created."""

from dataclasses import dataclass

from sqlalchemy import func, select, update

from qa_app.extensions import db
from qa_app.models import Case, StaffAlias, Team, TeamAlias, User
from qa_app.services.imports.events import repoint
from qa_app.services.people.accounts import find_user_by_email, is_email
from qa_app.textnorm import name_key


class PendingError(ValueError):
    """The confirmation or merge cannot be made; the message says why."""


@dataclass
class PendingRow:
    record: Team | User
    open_cases: int


def _open_counts(column) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(column, func.count(Case.id))
            .where(Case.closed_on.is_(None), column.is_not(None))
            .group_by(column)
        ).all()
    )


def pending_teams() -> list[PendingRow]:
    counts = _open_counts(Case.team_id)
    teams = db.session.scalars(select(Team).where(Team.pending.is_(True)).order_by(Team.name))
    return [PendingRow(t, counts.get(t.id, 0)) for t in teams]


def pending_staff() -> list[PendingRow]:
    counts = _open_counts(Case.worker_id)
    iro = _open_counts(Case.iro_id)
    people = db.session.scalars(select(User).where(User.pending.is_(True)).order_by(User.name))
    return [PendingRow(p, counts.get(p.id, 0) + iro.get(p.id, 0)) for p in people]


def _pending_team(team: Team) -> None:
    if not team.pending:
        raise PendingError(f"{team.name} has already been confirmed")


def confirm_team(team: Team) -> None:
    _pending_team(team)
    team.pending = False
    db.session.flush()


def merge_team(team: Team, into: Team) -> int:
    """Move the pending team's cases and staff to *into*, remember its name as an alias so the
    next import finds *into*, and delete it. Returns the number of cases moved."""
    _pending_team(team)
    if into.id == team.id or into.pending:
        raise PendingError("Choose a confirmed team to merge into")
    moved = db.session.execute(
        update(Case).where(Case.team_id == team.id).values(team_id=into.id)
    ).rowcount
    db.session.execute(update(User).where(User.team_id == team.id).values(team_id=into.id))
    repoint("team_id", team.id, into.id)
    db.session.execute(
        update(TeamAlias).where(TeamAlias.team_id == team.id).values(team_id=into.id)
    )
    if team.name_key != into.name_key:
        db.session.add(TeamAlias(name_key=team.name_key, team_id=into.id))
    db.session.delete(team)
    db.session.flush()
    return moved


def _pending_person(person: User) -> None:
    if not person.pending:
        raise PendingError(f"{person.name} has already been confirmed")


def confirm_person(person: User, email: str | None) -> None:
    """Make a pending person a member of staff (an email lets them be given a password)."""
    _pending_person(person)
    if email:
        email = email.strip().lower()
        if not is_email(email):
            raise PendingError("Enter an email address like name@council.gov.uk")
        other = find_user_by_email(email)
        if other is not None and other.id != person.id:
            raise PendingError(f"{email} is already used by {other.name}")
        person.email = email
    person.pending = False
    db.session.flush()


def merge_person(person: User, into: User) -> int:
    """Give the pending person's cases to *into*, keep their name (and SWE number) as an alias,
    and delete them. Returns the number of cases moved."""
    _pending_person(person)
    if into.id == person.id or into.pending:
        raise PendingError("Choose a confirmed member of staff to merge into")
    moved = db.session.execute(
        update(Case).where(Case.worker_id == person.id).values(worker_id=into.id)
    ).rowcount
    moved += db.session.execute(
        update(Case).where(Case.iro_id == person.id).values(iro_id=into.id)
    ).rowcount
    db.session.execute(
        update(StaffAlias).where(StaffAlias.user_id == person.id).values(user_id=into.id)
    )
    repoint("worker_id", person.id, into.id)
    keys = {person.name_key}
    if person.swe_number:
        if into.swe_number is None:
            swe, person.swe_number = person.swe_number, None
            db.session.flush()
            into.swe_number = swe
        else:
            keys.add(name_key(person.swe_number))
    keys.discard(into.name_key)
    known = set(
        db.session.scalars(select(StaffAlias.name_key).where(StaffAlias.name_key.in_(keys)))
    )
    for key in sorted(keys - known):
        db.session.add(StaffAlias(name_key=key, user_id=into.id))
    db.session.delete(person)
    db.session.flush()
    return moved


def merge_targets_teams() -> list[tuple[int, str]]:
    return list(
        db.session.execute(
            select(Team.id, Team.name).where(Team.pending.is_(False)).order_by(Team.name)
        ).all()
    )


def merge_targets_staff() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(User.id, User.name, User.email)
        .where(User.pending.is_(False), User.active.is_(True))
        .order_by(User.name)
    ).all()
    return [(i, f"{n} ({e})" if e else n) for i, n, e in rows]
