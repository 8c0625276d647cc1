"""Who sees which performance figures: the DCS, PSW, QA lead and senior managers the council;
a head of service their locality; a team manager their team (docs/indicators.md#the-improvement-board-dashboard).

Senior managers read the council's performance although the audit reports scope them like
other staff, hence a scope of its own rather than ``reports.scope.scope_for_user``.
"""

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Locality, Team, User
from qa_app.services.reports.scope import COUNCIL, ReportScope, ScopeError, parse_scope, within

COUNCIL_ROLES = frozenset({"dcs", "psw", "qa_admin", "senior_manager"})


class OutOfScope(LookupError):
    """A scope the user may not see, or one that does not exist (answered 404: its existence is
    not confirmed to someone who may not see it)."""


def scope_for(user: User) -> ReportScope | None:
    """The widest performance scope *user* may see, or None."""
    if not COUNCIL_ROLES.isdisjoint(user.roles):
        return COUNCIL
    if "head_of_service" in user.roles and user.effective_locality_id is not None:
        locality = db.session.get(Locality, user.effective_locality_id)
        return ReportScope("locality", locality.id, locality.name)
    if "team_manager" in user.roles and user.team_id is not None:
        return ReportScope("team", user.team_id, user.team.name)
    return None


def choices(user: User) -> list[tuple[str, str]]:
    """(key, label) of every scope *user* may choose: theirs, then its localities and teams."""
    mine = scope_for(user)
    if mine is None:
        return []
    out = [(mine.key, mine.label)]
    if mine.kind == "council":
        for name in db.session.scalars(select(Locality.name).order_by(Locality.name)):
            out.append((f"locality:{name}", f"Locality: {name}"))
    if mine.kind in ("council", "locality"):
        teams = select(Team.name).where(mine.team_condition(Team.id), Team.pending.is_(False))
        for name in db.session.scalars(teams.order_by(Team.name)):
            out.append((f"team:{name}", f"Team: {name}"))
    return out


def resolve(user: User, text: str | None) -> ReportScope:
    """The scope *text* (``council``, ``locality:NAME``, ``team:NAME``; empty: the user's own)
    if *user* may see it; else OutOfScope."""
    mine = scope_for(user)
    if mine is None:
        raise OutOfScope("no performance scope")
    if not text:
        return mine
    try:
        wanted = parse_scope(text)
    except ScopeError as exc:
        raise OutOfScope(str(exc)) from exc
    if not within(mine, wanted):
        raise OutOfScope(f"scope {text!r} is outside what you may see")
    return wanted
