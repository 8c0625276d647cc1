"""Events of children looked after and care leavers (see ``events`` for the shared columns).

List 8's "latest" dates (review, visits, health and dental checks, most recent placement) are
kept as dated rows, one per date seen, so that a snapshot at an earlier as-of date can still be
computed after later imports. Its counts over the last 12 months and List 9's statuses are true
only at the import's as-of date: they are kept per as-of date (``as_of``).
"""

from datetime import date

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from qa_app.extensions import db
from qa_app.models.events import Allocated, EventRow, child_date_index


class ClaPeriod(EventRow, Allocated, db.Model):
    """A period of care: Annex A List 8; SSDA903 episodes joined into periods (episodes that
    overlap or follow on)."""

    __tablename__ = "cla_periods"
    __table_args__ = (child_date_index("cla_periods", "start_date"),)

    start_date: Mapped[date]
    end_date: Mapped[date | None]
    legal_status: Mapped[str | None] = mapped_column(String(4))
    legal_status_start: Mapped[date | None]
    category_of_need: Mapped[str | None] = mapped_column(String(60))
    uasc: Mapped[bool | None]
    second_period: Mapped[bool | None]
    permanence_plan: Mapped[str | None] = mapped_column(String(60))
    reason_ceased: Mapped[str | None] = mapped_column(String(60))


class ClaEpisode(EventRow, db.Model):
    """An SSDA903 episode (a change of legal status, placement or carer). Postcodes are not
    kept: no indicator needs where a child lives."""

    __tablename__ = "cla_episodes"
    __table_args__ = (child_date_index("cla_episodes", "start_date"),)

    start_date: Mapped[date]
    end_date: Mapped[date | None]
    reason_new_episode: Mapped[str | None] = mapped_column(String(2))  # RNE: S, L, P, T, U, B
    legal_status: Mapped[str | None] = mapped_column(String(4))
    category_of_need: Mapped[str | None] = mapped_column(String(4))
    placement_type: Mapped[str | None] = mapped_column(String(4))
    placement_provider: Mapped[str | None] = mapped_column(String(4))
    reason_ended: Mapped[str | None] = mapped_column(String(4))
    reason_place_change: Mapped[str | None] = mapped_column(String(6))
    urn: Mapped[str | None] = mapped_column(String(20))


class ClaPlacement(EventRow, db.Model):
    """List 8's most recent placement at each import's as-of date."""

    __tablename__ = "cla_placements"
    __table_args__ = (child_date_index("cla_placements", "start_date"),)

    start_date: Mapped[date]
    placement_type: Mapped[str | None] = mapped_column(String(60))
    provider: Mapped[str | None] = mapped_column(String(60))
    urn: Mapped[str | None] = mapped_column(String(20))
    location: Mapped[str | None] = mapped_column(String(10))  # in | out
    placement_la: Mapped[str | None] = mapped_column(String(60))


class ClaStatus(EventRow, db.Model):
    """List 8's counts over the 12 months up to the import's as-of date."""

    __tablename__ = "cla_statuses"
    __table_args__ = (child_date_index("cla_statuses", "as_of"),)

    as_of: Mapped[date]
    placements_last_12_months: Mapped[int | None]
    missing_last_12_months: Mapped[int | None]
    absent_last_12_months: Mapped[int | None]
    return_interview_offered: Mapped[bool | None]
    return_interview_accepted: Mapped[bool | None]


class ClaReview(EventRow, db.Model):
    """A looked-after review: List 8's latest at each import; every SSDA903 review."""

    __tablename__ = "cla_reviews"
    __table_args__ = (child_date_index("cla_reviews", "review_date"),)

    review_date: Mapped[date]
    review_code: Mapped[str | None] = mapped_column(String(10))  # SSDA903 REVIEW_CODE


class ClaVisit(EventRow, db.Model):
    """List 8's last social work visit (``kind`` social_worker) and last IRO visit or contact
    (``iro``) at each import."""

    __tablename__ = "cla_visits"
    __table_args__ = (child_date_index("cla_visits", "visit_date"),)

    visit_date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(15))


class ClaHealthCheck(EventRow, db.Model):
    """List 8's last health assessment (``kind`` health) and dental check (``dental``)."""

    __tablename__ = "cla_health_checks"
    __table_args__ = (child_date_index("cla_health_checks", "check_date"),)

    check_date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(10))


class MissingEpisode(EventRow, db.Model):
    """SSDA903 Missing table: a period missing (``kind`` missing) or absent (``absent``)."""

    __tablename__ = "missing_episodes"
    __table_args__ = (child_date_index("missing_episodes", "start_date"),)

    start_date: Mapped[date]
    end_date: Mapped[date | None]
    kind: Mapped[str] = mapped_column(String(10))


class CareLeaver(EventRow, Allocated, db.Model):
    """Annex A List 9 at the import's as-of date. Codes: ``in_touch`` YES, NO, DIED, REFU
    (refused), NREQ (not required), RHOM (returned home); ``accommodation`` the SSDA903 letter
    (B, C, D, E, G, H, K, R, S, T, U, V, W, X, Y, Z); ``activity`` F1-F5, P1-P5, G4-G6."""

    __tablename__ = "care_leavers"
    __table_args__ = (
        child_date_index("care_leavers", "as_of"),
        Index("ix_care_leavers_as_of", "as_of"),
    )

    as_of: Mapped[date]
    eligibility: Mapped[str | None] = mapped_column(String(60))
    in_touch: Mapped[str | None] = mapped_column(String(4))
    latest_contact: Mapped[date | None]
    accommodation: Mapped[str | None] = mapped_column(String(1))
    accommodation_suitable: Mapped[bool | None]
    activity: Mapped[str | None] = mapped_column(String(2))
    pathway_plan_review: Mapped[date | None]
    uasc: Mapped[bool | None]
