"""Caseloads by social work experience: the board's "average caseload per ASYE, per social
worker of 1-3 years ..." (docs/thresholds.md#caseload-by-experience).

At a date D, every worker allocated at least one case open on D is counted once, with their open
cases, in the band of the whole years since their social work qualification (``User.
qualified_on``): ASYE (under 1 year), 1-3 years (1 to under 3), 3-5 years (3 to under 5), 5+
years, "qualification date not recorded", and "qualified after this date" (a worker holding
cases before the date recorded). A year is completed on the anniversary; for a 29 February
qualification, on 1 March in a year with no 29 February (as for birthdays in England). The
average is open cases with an allocated worker / such workers, as the ``average_caseload``
indicator counts them; a scope counts the cases of its teams (the case's team, not the
worker's). One grouped query; no loop over cases.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from qa_app.extensions import db
from qa_app.models import Case, User
from qa_app.services.reports.scope import COUNCIL, ReportScope

EXPERIENCE_BANDS: dict[str, str] = {
    "asye": "ASYE (qualified under 1 year)",
    "1_3_years": "1\u20133 years",
    "3_5_years": "3\u20135 years",
    "5_plus_years": "5+ years",
    "not_recorded": "Qualification date not recorded",
    "not_yet_qualified": "Qualified after this date",
}
# Bands by whole years completed: (band, fewest years), most experienced first.
_YEARS = (("5_plus_years", 5), ("3_5_years", 3), ("1_3_years", 1))
# The thresholds (threshold_file) that rate each band's average; the others are not rated.
THRESHOLD_KEYS = {
    "asye": "average_caseload.asye",
    "1_3_years": "average_caseload.1_3_years",
    "3_5_years": "average_caseload.3_5_years",
    "5_plus_years": "average_caseload.5_plus_years",
}


def anniversary_cutoff(at: date, years: int) -> date:
    """The latest qualification date with *years* whole years completed by *at*."""
    try:
        return at.replace(year=at.year - years)
    except ValueError:  # *at* is 29 February and that year has none
        return date(at.year - years, 2, 28)


def experience_band(qualified_on: date | None, at: date) -> str:
    """The band of a worker qualified on *qualified_on*, at *at* (the rule the SQL applies)."""
    if qualified_on is None:
        return "not_recorded"
    if qualified_on > at:
        return "not_yet_qualified"
    for band, years in _YEARS:
        if qualified_on <= anniversary_cutoff(at, years):
            return band
    return "asye"


def band_expression(qualified_on, at: date):
    """SQL CASE giving the band of the date column *qualified_on* at *at*."""
    whens = [(qualified_on.is_(None), "not_recorded"), (qualified_on > at, "not_yet_qualified")]
    whens += [(qualified_on <= anniversary_cutoff(at, years), band) for band, years in _YEARS]
    return case(*whens, else_="asye")


@dataclass(frozen=True)
class BandCaseload:
    band: str
    workers: int
    cases: int

    @property
    def name(self) -> str:
        return EXPERIENCE_BANDS[self.band]

    @property
    def threshold_key(self) -> str | None:
        return THRESHOLD_KEYS.get(self.band)

    @property
    def average(self) -> float | None:
        """Open cases per worker; None when the band has no workers."""
        return self.cases / self.workers if self.workers else None


@dataclass(frozen=True)
class CaseloadByExperience:
    at: date
    scope: str  # council | locality:NAME | team:NAME
    bands: tuple[BandCaseload, ...]  # every band, in EXPERIENCE_BANDS order, zeros included

    @property
    def workers(self) -> int:
        return sum(b.workers for b in self.bands)

    @property
    def cases(self) -> int:
        return sum(b.cases for b in self.bands)

    @property
    def average(self) -> float | None:
        """``average_caseload``: open cases with an allocated worker / such workers."""
        return self.cases / self.workers if self.workers else None

    def as_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "scope": self.scope,
            "workers": self.workers,
            "cases": self.cases,
            "average": self.average,
            "bands": [
                {
                    "band": b.band,
                    "name": b.name,
                    "workers": b.workers,
                    "cases": b.cases,
                    "average": b.average,
                    "threshold_key": b.threshold_key,
                }
                for b in self.bands
            ],
        }


def caseload_by_experience(at: date, scope: ReportScope = COUNCIL) -> CaseloadByExperience:
    """Workers, open cases and average caseload per experience band at *at*, in *scope*."""
    per_worker = (
        select(Case.worker_id.label("worker_id"), func.count().label("cases"))
        .where(Case.open_on(at), Case.worker_id.is_not(None), scope.team_condition(Case.team_id))
        .group_by(Case.worker_id)
        .subquery()
    )
    # The band is computed in a subquery and grouped on outside it: PostgreSQL does not see a
    # CASE with bound dates in SELECT and GROUP BY as the same expression.
    banded = (
        select(band_expression(User.qualified_on, at).label("band"), per_worker.c.cases)
        .join_from(per_worker, User, User.id == per_worker.c.worker_id)
        .subquery()
    )
    rows = db.session.execute(
        select(banded.c.band, func.count(), func.sum(banded.c.cases)).group_by(banded.c.band)
    ).all()
    found = {band: (int(workers), int(cases)) for band, workers, cases in rows}
    return CaseloadByExperience(
        at=at,
        scope=scope.key,
        bands=tuple(BandCaseload(band, *found.get(band, (0, 0))) for band in EXPERIENCE_BANDS),
    )
