"""The organisation page: localities and teams, with staff and open-case counts."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Case, Locality, Team, User
from qa_app.models.vocab import SERVICES
from qa_app.textnorm import clean_text, name_key


class OrganisationError(ValueError):
    """A change to a team that cannot be made; the message says why."""


@dataclass
class TeamRow:
    team: Team
    staff: int
    open_cases: int


def teams_by_locality(today: date) -> list[tuple[str, list[TeamRow]]]:
    """Every team grouped by locality (pending and locality-less teams last), three queries."""
    staff = dict(
        db.session.execute(
            select(User.team_id, func.count(User.id))
            .where(User.active.is_(True))
            .group_by(User.team_id)
        ).all()
    )
    cases = dict(
        db.session.execute(
            select(Case.team_id, func.count(Case.id))
            .where(Case.open_on(today))
            .group_by(Case.team_id)
        ).all()
    )
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    localities = {loc.id: loc.name for loc in db.session.scalars(select(Locality))}
    groups: dict[str, list[TeamRow]] = {name: [] for name in sorted(localities.values())}
    for team in teams:
        label = localities.get(team.locality_id, "Council-wide or not yet placed")
        groups.setdefault(label, []).append(
            TeamRow(team, staff.get(team.id, 0), cases.get(team.id, 0))
        )
    return list(groups.items())


def update_team(
    team: Team, *, name: str, locality: Locality | None, service: str | None, active: bool
) -> None:
    """Rename, place or retire a team; saving confirms a pending team."""
    name = clean_text(name)
    if not name:
        raise OrganisationError("Enter the team name")
    clash = db.session.scalar(
        select(Team).where(Team.name_key == name_key(name), Team.id != team.id)
    )
    if clash is not None:
        raise OrganisationError(f"There is already a team called {clash.name}")
    if service and service not in SERVICES:
        raise OrganisationError("Choose a service area from the list")
    team.name = name
    team.locality = locality
    team.service = service or None
    team.active = active
    team.pending = False
    db.session.flush()
