"""Monthly report versions and their files.

A version is built once from the database (its figures are frozen in ``data``) and is a draft
until the PSW publishes it. A published version never changes: the ORM refuses any update or
delete of it or of its files. Rebuilding creates a new version; older ones stay downloadable.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import db
from qa_app.models.base import utcnow
from qa_app.models.users import User

REPORT_STATUSES = ("building", "draft", "published", "failed")
REPORT_TRIGGERS = ("schedule", "web", "cli")
FILE_KINDS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportImmutable(RuntimeError):
    """Something tried to change or delete a published report."""


class ReportVersion(db.Model):
    __tablename__ = "report_versions"
    __table_args__ = (
        UniqueConstraint("month", "scope", "version"),
        CheckConstraint("status IN ('building', 'draft', 'published', 'failed')", name="status"),
        CheckConstraint("trigger IN ('schedule', 'web', 'cli')", name="trigger"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM reported on
    scope: Mapped[str] = mapped_column(String(220))  # council | locality:NAME | team:NAME
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="building")
    trigger: Mapped[str] = mapped_column(String(10), default="web")
    as_of: Mapped[date]
    data: Mapped[dict | None] = mapped_column(JSON)  # every figure, frozen when built
    key_messages: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    built_at: Mapped[datetime | None]
    build_seconds: Mapped[float | None]
    messages_edited_at: Mapped[datetime | None]
    messages_edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    files: Mapped[list["ReportFile"]] = relationship(
        back_populates="version", order_by="ReportFile.kind"
    )

    def file(self, kind: str) -> "ReportFile | None":
        return next((f for f in self.files if f.kind == kind), None)

    def __repr__(self) -> str:
        return f"<ReportVersion {self.month} {self.scope} v{self.version} {self.status}>"


class ReportFile(db.Model):
    __tablename__ = "report_files"
    __table_args__ = (
        UniqueConstraint("version_id", "kind"),
        CheckConstraint("kind IN ('html', 'pdf', 'xlsx')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(4))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    version: Mapped[ReportVersion] = relationship(back_populates="files")

    @property
    def content_type(self) -> str:
        return FILE_KINDS[self.kind]


def _was_published(target: ReportVersion) -> bool:
    history = inspect(target).attrs.status.history
    before = history.deleted[0] if history.deleted else target.status
    return before == "published"


@event.listens_for(ReportVersion, "before_update")
def _refuse_version_change(_mapper, _connection, target: ReportVersion) -> None:
    if _was_published(target):
        raise ReportImmutable(
            f"report {target.month} {target.scope} version {target.version} is published and "
            "never changes: rebuild to make a new version"
        )


@event.listens_for(ReportVersion, "before_delete")
def _refuse_version_delete(_mapper, _connection, target: ReportVersion) -> None:
    if target.status == "published":
        raise ReportImmutable("published reports are never deleted")


@event.listens_for(ReportFile, "before_update")
@event.listens_for(ReportFile, "before_delete")
def _refuse_file_change(_mapper, _connection, target: ReportFile) -> None:
    if target.version is not None and target.version.status == "published":
        raise ReportImmutable("the files of a published report never change")
