"""Events the extracts hold, kept beside the case snapshot: one typed table per kind, keyed by
child (docs/indicators.md, "What is kept").

Every row knows the import that brought it (``import_id``), the format it came from (``source``:
``annex-a``, ``cin-census`` or ``ssda903``) and a ``fingerprint`` of its values, by which a later
import recognises a row it holds unchanged (a re-import of the same files writes nothing). Rows
from lists that name a team and worker keep them, matched to the organisation (``team_id``,
``worker_id``; NULL when the file names nobody or a name the service does not know).

This module holds the front door, children in need and child protection; ``events_care`` the
children looked after and care leavers.
"""

from datetime import date

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from qa_app.extensions import db


class EventRow:
    """Columns every event row has."""

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    source: Mapped[str] = mapped_column(String(12))
    fingerprint: Mapped[int] = mapped_column(BigInteger)


class Allocated:
    """The team and worker the row names (Annex A lists 3 to 9)."""

    @declared_attr
    def team_id(cls) -> Mapped[int | None]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(ForeignKey("teams.id"))

    @declared_attr
    def worker_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("users.id"))


def child_date_index(table: str, column: str) -> Index:
    return Index(f"ix_{table}_child_{column}", "child_id", column)


class Referral(EventRow, Allocated, db.Model):
    """Annex A List 3; CIN census ``CINdetails`` (one referral per episode)."""

    __tablename__ = "referrals"
    __table_args__ = (
        child_date_index("referrals", "referral_date"),
        Index("ix_referrals_referral_date", "referral_date"),
    )

    referral_date: Mapped[date]
    referral_source: Mapped[str | None] = mapped_column(String(60))
    nfa: Mapped[bool | None]
    referrals_last_12_months: Mapped[int | None]


class Assessment(EventRow, Allocated, db.Model):
    """Annex A List 4 (continuous assessments); CIN census ``Assessments``."""

    __tablename__ = "assessments"
    __table_args__ = (
        child_date_index("assessments", "start_date"),
        Index("ix_assessments_authorised_on", "authorised_on"),
    )

    start_date: Mapped[date]
    authorised_on: Mapped[date | None]
    child_seen: Mapped[bool | None]
    requires_support: Mapped[bool | None]
    factors: Mapped[str | None] = mapped_column(String(200))  # census assessment factor codes


class Section47(EventRow, Allocated, db.Model):
    """Annex A List 5 (section 47 enquiries and their initial child protection conferences);
    CIN census ``Section47``."""

    __tablename__ = "section47s"
    __table_args__ = (
        child_date_index("section47s", "strategy_date"),
        Index("ix_section47s_icpc_date", "icpc_date"),
    )

    strategy_date: Mapped[date]
    icpc_not_required: Mapped[bool | None]
    icpc_date: Mapped[date | None]
    icpc_target: Mapped[date | None]
    icpc_result_plan: Mapped[bool | None]
    s47s_last_12_months: Mapped[int | None]
    icpcs_last_12_months: Mapped[int | None]


class CinEpisode(EventRow, Allocated, db.Model):
    """Annex A List 6; CIN census ``CINdetails`` (referral to closure)."""

    __tablename__ = "cin_episodes"
    __table_args__ = (child_date_index("cin_episodes", "start_date"),)

    start_date: Mapped[date]
    end_date: Mapped[date | None]
    primary_need: Mapped[str | None] = mapped_column(String(60))
    last_seen: Mapped[date | None]
    closure_reason: Mapped[str | None] = mapped_column(String(60))
    case_status: Mapped[str | None] = mapped_column(String(60))


class CinPlan(EventRow, db.Model):
    """CIN census ``CINPlanDates`` (Annex A has no CIN plans, only episodes)."""

    __tablename__ = "cin_plans"
    __table_args__ = (
        child_date_index("cin_plans", "start_date"),
        Index("ix_cin_plans_end_date", "end_date"),
    )

    start_date: Mapped[date]
    end_date: Mapped[date | None]


class CpPlan(EventRow, Allocated, db.Model):
    """Annex A List 7; CIN census ``ChildProtectionPlans``."""

    __tablename__ = "cp_plans"
    __table_args__ = (
        child_date_index("cp_plans", "start_date"),
        Index("ix_cp_plans_end_date", "end_date"),
    )

    start_date: Mapped[date]
    end_date: Mapped[date | None]
    initial_category: Mapped[str | None] = mapped_column(String(60))
    latest_category: Mapped[str | None] = mapped_column(String(60))
    previous_plans: Mapped[int | None]
    emergency_protection: Mapped[bool | None]


class CpVisit(EventRow, db.Model):
    """A statutory visit to a child on a plan: List 7's last visit (and whether the child was
    seen alone) at each import's as-of date, so the monthly history builds up."""

    __tablename__ = "cp_visits"
    __table_args__ = (child_date_index("cp_visits", "visit_date"),)

    visit_date: Mapped[date]
    seen_alone: Mapped[bool | None]


class CpReview(EventRow, db.Model):
    """A child protection review conference: List 7's latest at each import; every review in
    the CIN census (``CPPreviewDate``)."""

    __tablename__ = "cp_reviews"
    __table_args__ = (child_date_index("cp_reviews", "review_date"),)

    review_date: Mapped[date]
