"""Case data imports: one import is one snapshot of open cases at an as-of date."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import db
from qa_app.models.base import utcnow
from qa_app.models.org import Team
from qa_app.models.tasks import BackgroundTask
from qa_app.models.users import User


class Import(db.Model):
    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # annex-a | cin-census | ssda903 | csv | demo, or several joined by "+" (cin-census+ssda903)
    format: Mapped[str] = mapped_column(String(60))
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
    # True when the rows it changed were kept (ImportUndoRow), so that it can be undone.
    undo_kept: Mapped[bool] = mapped_column(default=False, server_default=false())
    undone_at: Mapped[datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])


class ImportUndoRow(db.Model):
    """A row as it was before an import changed or deleted it (*before*), or one the import
    *created*: what undoing the import puts back or removes (services/imports/undo.py)."""

    __tablename__ = "import_undo_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[int]
    created: Mapped[bool] = mapped_column(default=False)
    before: Mapped[dict] = mapped_column(JSON, default=dict)  # {} for a created row


class ImportRejectedRow(db.Model):
    """A row that could not be imported: downloadable as CSV from the import history."""

    __tablename__ = "import_rejected_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)
    file: Mapped[str] = mapped_column(String(255))
    sheet: Mapped[str] = mapped_column(String(100), default="")
    row: Mapped[int | None]
    column: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(300))


class ImportUpload(db.Model):
    """Files uploaded on the web page, waiting for preview and confirmation.

    The files themselves are kept in the upload folder under their SHA-256, where the worker
    that runs the import can read them; they are deleted once the import is done or discarded.
    """

    __tablename__ = "import_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    as_of: Mapped[date]
    format: Mapped[str | None] = mapped_column(String(20))  # None: detected
    # [{"name", "sha256", "size"}]
    files: Mapped[list] = mapped_column(JSON, default=list)
    # uploaded | previewing | previewed | importing | imported | failed | discarded
    status: Mapped[str] = mapped_column(String(20), default="uploaded", index=True)
    preview: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("background_tasks.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))

    created_by: Mapped[User | None] = relationship()
    task: Mapped[BackgroundTask | None] = relationship()
    result: Mapped[Import | None] = relationship()


class TeamAlias(db.Model):
    """Another name for a team, kept when a pending team is merged into it, so the next import
    that uses the old name finds the team instead of creating it again."""

    __tablename__ = "team_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)

    team: Mapped[Team] = relationship()


class StaffAlias(db.Model):
    """Another name (or SWE number) for a person, kept when a pending person is merged."""

    __tablename__ = "staff_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship()
