"""Matching the teams and staff named in case files to the organisation.

Teams are matched by normalised name (``textnorm.name_key``) or an alias left by a merge; staff
by Social Work England number, then email, then normalised name or alias. Anything unknown
becomes a *pending* team or person, for qa_admin to confirm or merge
(docs/formats.md#teams-and-staff-named-in-case-files).
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import StaffAlias, Team, TeamAlias, User, UserRole
from qa_app.textnorm import clean_text, name_key


@dataclass(eq=False)
class NewTeam:
    name: str
    id: int | None = None


@dataclass(eq=False)
class NewPerson:
    name: str
    role: str
    swe_number: str | None = None
    team: "int | NewTeam | None" = None
    id: int | None = None


TeamRef = int | NewTeam | None
PersonRef = int | NewPerson | None


def ref_id(ref) -> int | None:
    """The database id behind a reference (after the new records are created)."""
    if ref is None or isinstance(ref, int):
        return ref
    return ref.id


@dataclass
class _Person:
    id: int
    team_id: int | None
    pending: bool
    active: bool


@dataclass
class Directory:
    """Everything needed to match names, loaded in a few queries; creates nothing itself."""

    teams: dict[str, int] = field(default_factory=dict)
    people_by_key: dict[str, list[_Person]] = field(default_factory=dict)
    people_by_swe: dict[str, int] = field(default_factory=dict)
    people_by_email: dict[str, int] = field(default_factory=dict)
    staff_aliases: dict[str, int] = field(default_factory=dict)
    new_teams: dict[str, NewTeam] = field(default_factory=dict)
    new_people: dict[str, NewPerson] = field(default_factory=dict)
    ambiguous: list[str] = field(default_factory=list)

    @classmethod
    def load(cls) -> "Directory":
        directory = cls()
        directory.teams = dict(db.session.execute(select(Team.name_key, Team.id)).all())
        for key, team_id in db.session.execute(select(TeamAlias.name_key, TeamAlias.team_id)):
            directory.teams.setdefault(key, team_id)
        rows = db.session.execute(
            select(
                User.id,
                User.name_key,
                User.team_id,
                User.pending,
                User.active,
                User.swe_number,
                User.email,
            ).order_by(User.id)
        )
        for user_id, key, team_id, pending, active, swe, email in rows:
            directory.people_by_key.setdefault(key, []).append(
                _Person(user_id, team_id, pending, active)
            )
            if swe:
                directory.people_by_swe[swe.upper()] = user_id
            if email:
                directory.people_by_email[email.lower()] = user_id
        directory.staff_aliases = dict(
            db.session.execute(select(StaffAlias.name_key, StaffAlias.user_id)).all()
        )
        return directory

    def team(self, name: str | None) -> TeamRef:
        if not name:
            return None
        key = name_key(name)
        if not key:
            return None
        if key in self.teams:
            return self.teams[key]
        if key not in self.new_teams:
            self.new_teams[key] = NewTeam(clean_text(name))
        return self.new_teams[key]

    def person(
        self,
        *,
        name: str | None,
        swe: str | None = None,
        email: str | None = None,
        team: TeamRef = None,
        role: str = "social_worker",
    ) -> PersonRef:
        if swe:
            swe = swe.upper()
            if swe in self.people_by_swe:
                return self.people_by_swe[swe]
            if name_key(swe) in self.staff_aliases:
                return self.staff_aliases[name_key(swe)]
            return self._new(f"swe:{swe}", NewPerson(name or swe, role, swe_number=swe, team=team))
        if email and email.lower() in self.people_by_email:
            return self.people_by_email[email.lower()]
        if not name:
            return None
        key = name_key(name)
        if not key:
            return None
        if key in self.staff_aliases:
            return self.staff_aliases[key]
        candidates = self.people_by_key.get(key, [])
        if len(candidates) == 1:
            return candidates[0].id
        if candidates:
            return self._choose(name, candidates, team)
        return self._new(f"name:{key}", NewPerson(clean_text(name), role, team=team))

    def _choose(self, name: str, candidates: list[_Person], team: TeamRef) -> int:
        in_team = [p for p in candidates if isinstance(team, int) and p.team_id == team]
        if len(in_team) == 1:
            return in_team[0].id
        confirmed = [p for p in candidates if p.active and not p.pending]
        chosen = (in_team or confirmed or candidates)[0]
        if name not in self.ambiguous:
            self.ambiguous.append(name)
        return chosen.id

    def _new(self, key: str, person: NewPerson) -> NewPerson:
        known = self.new_people.get(key)
        if known is None:
            self.new_people[key] = person
            return person
        if known.team is None and person.team is not None:
            known.team = person.team
        return known

    def create_pending(self) -> None:
        """Insert the pending teams and staff that matching created (flushes)."""
        teams = []
        for new in sorted(self.new_teams.values(), key=lambda t: t.name):
            team = Team(name=new.name, pending=True)
            db.session.add(team)
            teams.append((new, team))
        db.session.flush()
        for new, team in teams:
            new.id = team.id
        people = []
        for new in sorted(self.new_people.values(), key=lambda p: p.name):
            user = User(
                name=new.name,
                pending=True,
                swe_number=new.swe_number,
                team_id=ref_id(new.team),
            )
            db.session.add(user)
            people.append((new, user))
        db.session.flush()
        roles = [{"user_id": user.id, "role": new.role} for new, user in people]
        if roles:
            db.session.execute(UserRole.__table__.insert(), roles)
        for new, user in people:
            new.id = user.id
            db.session.expire(user, ["role_rows"])
