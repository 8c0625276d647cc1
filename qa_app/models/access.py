"""Who looked at which child's record, when and why. Never what the record said.

A row names one case (a record opened) or, for a list or an export showing many children's
records, no case and how many records it showed (``record_count``).
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import db
from qa_app.models.base import utcnow
from qa_app.models.cases import Case, Child
from qa_app.models.users import User


class AccessLog(db.Model):
    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_child_at", "child_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    action: Mapped[str] = mapped_column(String(40))  # e.g. view_case, view_audit, download_pdf
    purpose: Mapped[str | None] = mapped_column(String(200))
    endpoint: Mapped[str | None] = mapped_column(String(100))
    # Lists and exports: how many children's records the response showed (None: one record).
    record_count: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User] = relationship()
    child: Mapped[Child | None] = relationship()
    case: Mapped[Case | None] = relationship()
