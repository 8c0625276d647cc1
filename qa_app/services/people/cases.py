"""Finding cases: every query here is limited to what the user may see."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qa_app.extensions import db
from qa_app.models import Case, Child, Team, User
from qa_app.models.vocab import COHORTS
from qa_app.permissions import case_scope, team_scope
from qa_app.services.platform.paging import Page, paginate
from qa_app.textnorm import clean_text, is_digits


@dataclass
class CaseFilters:
    cohort: str | None = None
    team_id: int | None = None
    child_id: str | None = None
    unallocated: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "CaseFilters":
        """Filters from a query string; values that make no sense are ignored, not errors."""
        cohort = args.get("cohort") if args.get("cohort") in COHORTS else None
        team = args.get("team", "")
        page = args.get("page", "1")
        return cls(
            cohort=cohort,
            team_id=int(team) if is_digits(team) else None,
            child_id=clean_text(args.get("child_id", ""))[:40] or None,
            unallocated=args.get("unallocated") == "1",
            page=max(1, int(page)) if is_digits(page) else 1,
        )

    def query_args(self, **changes) -> dict:
        values = {
            "cohort": self.cohort,
            "team": self.team_id,
            "child_id": self.child_id,
            "unallocated": "1" if self.unallocated else None,
            "page": self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def list_cases(user: User, filters: CaseFilters, *, today: date) -> Page:
    """Open cases the user may see, filtered, a page at a time."""
    conditions = [Case.open_on(today), case_scope(user)]
    if filters.cohort:
        conditions.append(Case.cohort == filters.cohort)
    if filters.team_id:
        conditions.append(Case.team_id == filters.team_id)
    if filters.unallocated:
        conditions.append(Case.unallocated.is_(True))
    if filters.child_id:
        conditions.append(
            Case.child_id.in_(select(Child.id).where(Child.la_child_id == filters.child_id))
        )
    query = (
        select(Case)
        .where(*conditions)
        .options(joinedload(Case.child), joinedload(Case.team), joinedload(Case.worker))
        .order_by(Case.id)
    )
    return paginate(query, page=filters.page)


def visible_teams(user: User) -> list[Team]:
    return list(db.session.scalars(select(Team).where(team_scope(user)).order_by(Team.name)))


def other_cases_of_child(user: User, case: Case) -> list[Case]:
    """The child's other cases, past and present, that the user may also see."""
    return list(
        db.session.scalars(
            select(Case)
            .where(Case.child_id == case.child_id, Case.id != case.id, case_scope(user))
            .order_by(Case.opened_on.desc())
        )
    )
