"""The closure rule: an import that would close many cases, or read nothing, must be confirmed
(docs/formats.md#closing-many-cases-needs-confirmation; issue 15).

A snapshot closes every open case of a cohort it covers whose child it does not list, so a wrong
or truncated file closes thousands of cases at once. An import that would close more than a
share of the open cases it covers (``QA_IMPORT_CLOSURE_CONFIRM_SHARE``, default 10%), or in
which no row was accepted, goes ahead only when the caller passes the exact number of cases it
closes: typed on the web, ``--confirm-closures N`` on the command line.
"""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Team
from qa_app.models.vocab import COHORTS

DEFAULT_SHARE = 0.10
TEAMS_SHOWN = 15


def cases(count: int) -> str:
    return f"{count:,} case" if count == 1 else f"{count:,} cases"


@dataclass(frozen=True)
class ClosureCheck:
    """What an import closes, measured against the open cases of the cohorts it covers."""

    closing: int
    covered_open: int
    accepted: int  # children read from the files

    def needs_confirmation(self, share: float) -> bool:
        return self.accepted == 0 or self.closing > share * self.covered_open

    def reason(self, share: float) -> str:
        """What the import closes and why that needs confirming, after "would close"."""
        if self.accepted == 0:
            return f"{cases(self.closing)}, and no row in the files was accepted"
        return (
            f"{self.closing:,} of the {self.covered_open:,} open cases of the cohorts it "
            f"covers (more than {share:.0%})"
        )


class ClosuresNotConfirmed(ValueError):
    """The import needs the number of cases it closes confirmed; nothing was changed."""

    def __init__(self, check: ClosureCheck, share: float, given: int | None):
        self.check = check
        self.share = share
        self.given = given
        super().__init__(
            f"This import would close {check.reason(share)}"
            if given is None
            else f"This import would close {cases(check.closing)}, not {given:,}"
        )


def require_confirmation(check: ClosureCheck, *, share: float, confirmed: int | None) -> None:
    """Raise ``ClosuresNotConfirmed`` unless the import may go ahead.

    A confirmation, when given, must be the exact number of cases closed, whether or not the
    rule asks for one: a number from a stale preview must not wave a different import through.
    """
    if confirmed is not None and confirmed != check.closing:
        raise ClosuresNotConfirmed(check, share, confirmed)
    if confirmed is None and check.needs_confirmation(share):
        raise ClosuresNotConfirmed(check, share, None)


def breakdown(closing: Counter, covered_open: int) -> dict:
    """The summary's ``closing``: cases closed in total, by cohort and by team (largest first,
    the first ``TEAMS_SHOWN`` named and the rest counted), and the open cases covered.

    *closing* counts ``(cohort, team_id)`` pairs of the cases the import closes.
    """
    by_cohort = Counter()
    by_team = Counter()
    for (cohort, team_id), count in closing.items():
        by_cohort[cohort] += count
        by_team[team_id] += count
    names = dict(
        db.session.execute(
            select(Team.id, Team.name).where(Team.id.in_([t for t in by_team if t is not None]))
        ).all()
    )
    teams = sorted(by_team.items(), key=lambda item: (-item[1], names.get(item[0], "")))
    return {
        "cases": sum(closing.values()),
        "covered_open": covered_open,
        "by_cohort": {c: by_cohort[c] for c in COHORTS if by_cohort[c]},
        "by_team": [
            [names.get(team_id, "No team"), count] for team_id, count in teams[:TEAMS_SHOWN]
        ],
        "more_teams": max(0, len(teams) - TEAMS_SHOWN),
        "more_teams_cases": sum(count for _, count in teams[TEAMS_SHOWN:]),
    }


def check_of(summary: dict) -> ClosureCheck:
    """The closure check a plan's summary describes."""
    closing = summary.get("closing") or {}
    return ClosureCheck(
        closing=closing.get("cases", summary.get("closed", 0)),
        covered_open=closing.get("covered_open", 0),
        accepted=summary.get("children", 0),
    )
