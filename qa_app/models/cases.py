"""Children and their cases, as the council's case management system reports them."""

from datetime import date

from sqlalchemy import ForeignKey, Index, String, and_, or_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import db
from qa_app.models.base import TimestampMixin
from qa_app.models.org import Team
from qa_app.models.users import User


def child_reference(la_child_id: str) -> str:
    """The one reference people see for a case: the council's child id as the case page shows
    it ("Child 02891558"). Pages, notifications, emails, exports and the CLI all use this, never
    the case's database id, which is shown nowhere a person could match it (issue 15)."""
    return f"Child {la_child_id}"


class Child(TimestampMixin, db.Model):
    """A child, known by the council's id only: the service holds no names."""

    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    la_child_id: Mapped[str] = mapped_column(String(40), unique=True)
    dob: Mapped[date | None]
    sex: Mapped[str | None] = mapped_column(String(1))  # M, F, U
    ethnicity: Mapped[str | None] = mapped_column(String(10))
    has_disability: Mapped[bool | None]
    disability_codes: Mapped[str | None] = mapped_column(String(200))

    cases: Mapped[list["Case"]] = relationship(back_populates="child", order_by="Case.opened_on")

    @property
    def reference(self) -> str:
        return child_reference(self.la_child_id)

    def __repr__(self) -> str:
        return f"<Child {self.id}>"


class Case(TimestampMixin, db.Model):
    """One episode of involvement. A child has at most one open case (docs/formats.md)."""

    __tablename__ = "cases"
    __table_args__ = (
        Index(
            "uq_cases_open_child",
            "child_id",
            unique=True,
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
        Index("ix_cases_team_open", "team_id", "closed_on"),
        Index("ix_cases_cohort_open", "cohort", "closed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    cohort: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    iro_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    opened_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    # True when the extract named no team or worker (#N/A, blank, NULL): kept, flagged, reported.
    unallocated: Mapped[bool] = mapped_column(default=False)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), index=True)

    child: Mapped[Child] = relationship(back_populates="cases")
    team: Mapped[Team | None] = relationship()
    worker: Mapped[User | None] = relationship(foreign_keys=[worker_id])
    iro: Mapped[User | None] = relationship(foreign_keys=[iro_id])

    @classmethod
    def open_on(cls, day: date):
        """SQL condition: open on *day* (started on or before it, not ended on or before it)."""
        return and_(
            or_(cls.opened_on.is_(None), cls.opened_on <= day),
            or_(cls.closed_on.is_(None), cls.closed_on > day),
        )

    def is_open_on(self, day: date) -> bool:
        started = self.opened_on is None or self.opened_on <= day
        return started and (self.closed_on is None or self.closed_on > day)

    @property
    def reference(self) -> str:
        """What people call this case: its child's reference (see ``child_reference``)."""
        return self.child.reference

    def __repr__(self) -> str:
        return f"<Case {self.id}>"
