"""Case data imports: one import is one snapshot of open cases at an as-of date."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import db
from qa_app.models.base import utcnow
from qa_app.models.users import User


class Import(db.Model):
    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    format: Mapped[str] = mapped_column(String(20))  # annex-a | cin-census | ssda903 | csv | demo
    as_of: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="complete")
    # [{"name", "sha256", "size"}]
    files: Mapped[list] = mapped_column(JSON, default=list)
    # The summary printed by `qa import --json`, kept for the import history.
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    children: Mapped[int] = mapped_column(default=0)
    open_cases: Mapped[int] = mapped_column(default=0)
    closed_cases: Mapped[int] = mapped_column(default=0)
    rejected_rows: Mapped[int] = mapped_column(default=0)

    created_by: Mapped[User | None] = relationship()
