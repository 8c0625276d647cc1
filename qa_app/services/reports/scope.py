"""What a report covers: a month and a scope (the council, one locality or one team).

A scope is written ``council``, ``locality:NAME`` or ``team:NAME`` on the command line and in
stored report versions. Audits belong to the team their case was sampled from (the sample item's
stratum), so a case that moves team later stays in the month's figures where it was audited.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, true

from qa_app.extensions import db
from qa_app.models import Locality, Team, User
from qa_app.permissions import is_council_wide


class ScopeError(ValueError):
    """A month or scope that cannot be reported on, with a message saying why."""


@dataclass(frozen=True)
class ReportScope:
    kind: str  # council | locality | team
    id: int | None = None
    name: str = "Whole council"

    @property
    def key(self) -> str:
        return "council" if self.kind == "council" else f"{self.kind}:{self.name}"

    @property
    def label(self) -> str:
        return {"council": "Whole council", "locality": "Locality", "team": "Team"}[self.kind] + (
            "" if self.kind == "council" else f": {self.name}"
        )

    def team_condition(self, team_column) -> ColumnElement[bool]:
        """SQL condition on a team id column: the teams inside this scope."""
        if self.kind == "council":
            return true()
        if self.kind == "team":
            return team_column == self.id
        return team_column.in_(select(Team.id).where(Team.locality_id == self.id))


COUNCIL = ReportScope("council")


def parse_scope(text: str) -> ReportScope:
    """``council``, ``locality:NAME`` or ``team:NAME`` (names matched case-insensitively)."""
    text = (text or "council").strip()
    if text.lower() == "council":
        return COUNCIL
    kind, _, name = text.partition(":")
    kind, name = kind.strip().lower(), name.strip()
    if kind not in ("locality", "team") or not name:
        raise ScopeError(
            f"scope {text!r}: expected council, locality:NAME or team:NAME "
            "(for example locality:North)"
        )
    model = Locality if kind == "locality" else Team
    row = db.session.scalar(select(model).where(func.lower(model.name) == name.lower()))
    if row is None:
        raise ScopeError(f"scope {text!r}: there is no {kind} called {name!r}")
    return ReportScope(kind, row.id, row.name)


def scope_for_user(user: User, *, council_wide: bool | None = None) -> ReportScope | None:
    """The widest scope *user* may see: the council, their locality, their team, or None.
    *council_wide* overrides the audit reports' rule of who sees the council (performance
    figures have their own)."""
    if is_council_wide(user) if council_wide is None else council_wide:
        return COUNCIL
    if "head_of_service" in user.roles and user.effective_locality_id is not None:
        locality = db.session.get(Locality, user.effective_locality_id)
        return ReportScope("locality", locality.id, locality.name)
    if "team_manager" in user.roles and user.team_id is not None:
        return ReportScope("team", user.team_id, user.team.name)
    return None


def scope_choices(user: User, mine: ReportScope | None = None) -> list[tuple[str, str]]:
    """(key, label) of every scope *user* may report on (or of *mine*, their widest scope when
    another rule decides it): theirs first, then its localities and teams by name (confirmed
    teams only: a pending one is not yet part of the organisation)."""
    mine = mine or scope_for_user(user)
    if mine is None:
        return []
    choices = [(mine.key, mine.label)]
    if mine.kind == "council":
        for name in db.session.scalars(select(Locality.name).order_by(Locality.name)):
            choices.append((f"locality:{name}", f"Locality: {name}"))
    if mine.kind in ("council", "locality"):
        teams = select(Team.name).where(mine.team_condition(Team.id), Team.pending.is_(False))
        for name in db.session.scalars(teams.order_by(Team.name)):
            choices.append((f"team:{name}", f"Team: {name}"))
    return choices


def within(user_scope: ReportScope, wanted: ReportScope) -> bool:
    """Whether *wanted* lies inside *user_scope*."""
    if user_scope.kind == "council":
        return True
    if wanted.kind == "council":
        return False
    if user_scope.kind == "locality":
        if wanted.kind == "locality":
            return wanted.id == user_scope.id
        team = db.session.get(Team, wanted.id)
        return team is not None and team.locality_id == user_scope.id
    return wanted.kind == "team" and wanted.id == user_scope.id


def within_key(user_scope: ReportScope | None, key: str) -> bool:
    """Whether the stored scope *key* lies inside *user_scope*; a scope whose team or locality
    has since been renamed is visible to council-wide roles only."""
    if user_scope is None:
        return False
    if user_scope.kind == "council":
        return True
    try:
        return within(user_scope, parse_scope(key))
    except ScopeError:
        return False
