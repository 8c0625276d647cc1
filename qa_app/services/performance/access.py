"""Who sees which performance figures: the DCS, PSW, QA lead and senior managers the council;
a head of service their locality; a team manager their team (docs/indicators.md#the-improvement-board-dashboard).

Senior managers read the council's performance although the audit reports scope them like
other staff, hence a scope of its own rather than ``reports.scope.scope_for_user``.
"""

from qa_app.models import User
from qa_app.services.reports.scope import (
    ReportScope,
    ScopeError,
    parse_scope,
    scope_choices,
    scope_for_user,
    within,
)

COUNCIL_ROLES = frozenset({"dcs", "psw", "qa_admin", "senior_manager"})


class OutOfScope(LookupError):
    """A scope the user may not see, or one that does not exist (answered 404: its existence is
    not confirmed to someone who may not see it)."""


def scope_for(user: User) -> ReportScope | None:
    """The widest performance scope *user* may see, or None."""
    return scope_for_user(user, council_wide=not COUNCIL_ROLES.isdisjoint(user.roles))


def choices(user: User) -> list[tuple[str, str]]:
    """(key, label) of every scope *user* may choose: theirs, then its localities and teams."""
    mine = scope_for(user)
    return [] if mine is None else scope_choices(user, mine)


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
