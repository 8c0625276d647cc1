"""Audit toolkits: a toolkit's identity, and its immutable versions.

A ``ToolkitVersion`` holds one validated definition (the YAML as parsed, stored as JSON) with a
content hash. An audit keeps the version it was done on, so a version is never changed or deleted
once loaded: the only column that may change is ``active`` (which version new audits use). The
ORM refuses any other update and any delete; a changed toolkit is loaded as a new version.
"""

from datetime import datetime
from functools import cached_property

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import db
from qa_app.models.base import utcnow
from qa_app.models.toolkit_definition import ToolkitDefinition
from qa_app.models.users import User


class ToolkitImmutable(RuntimeError):
    """Something tried to change or delete a loaded toolkit version."""


class Toolkit(db.Model):
    """A toolkit's identity (its stable key); its content lives in its versions."""

    __tablename__ = "toolkits"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    # The name of the latest version, for lists; each version keeps its own in its definition.
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list["ToolkitVersion"]] = relationship(
        back_populates="toolkit", order_by="ToolkitVersion.version"
    )

    @property
    def active_version(self) -> "ToolkitVersion | None":
        return next((v for v in self.versions if v.active), None)

    @property
    def latest_version(self) -> "ToolkitVersion | None":
        return self.versions[-1] if self.versions else None

    def __repr__(self) -> str:
        return f"<Toolkit {self.key}>"


class ToolkitVersion(db.Model):
    """One loaded version of a toolkit. Immutable apart from ``active``."""

    __tablename__ = "toolkit_versions"
    __table_args__ = (
        UniqueConstraint("toolkit_id", "version", name="uq_toolkit_versions_toolkit_version"),
        UniqueConstraint("toolkit_id", "content_hash", name="uq_toolkit_versions_toolkit_hash"),
        # At most one active version per toolkit.
        Index(
            "uq_toolkit_versions_one_active",
            "toolkit_id",
            unique=True,
            sqlite_where=db.text("active"),
            postgresql_where=db.text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    toolkit_id: Mapped[int] = mapped_column(ForeignKey("toolkits.id"))
    version: Mapped[int]  # as declared in the file; increases with each new version
    # The parsed, validated document (see qa_app.services.toolkits.format).
    definition_json: Mapped[dict] = mapped_column("definition", JSON)
    content_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical JSON
    source_name: Mapped[str] = mapped_column(String(255))  # file name it was loaded from
    source_text: Mapped[str] = mapped_column(Text)  # the YAML as loaded, for download
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: CLI/demo
    loaded_via: Mapped[str] = mapped_column(String(20))  # cli | web | demo
    active: Mapped[bool] = mapped_column(default=False)

    toolkit: Mapped[Toolkit] = relationship(back_populates="versions")
    loaded_by: Mapped[User | None] = relationship()

    @cached_property
    def definition(self) -> ToolkitDefinition:
        """The definition as typed objects: sections, compliance questions, grading rules."""
        return ToolkitDefinition.from_dict(self.definition_json)

    @property
    def name(self) -> str:
        return self.definition_json["name"]

    @property
    def cohorts(self) -> tuple[str, ...]:
        return tuple(self.definition_json["cohorts"])

    def __repr__(self) -> str:
        return f"<ToolkitVersion {self.toolkit_id} v{self.version}>"


_MUTABLE = {"active"}


@event.listens_for(ToolkitVersion, "before_update")
def _refuse_changes(_mapper, _connection, target: ToolkitVersion) -> None:
    state = inspect(target)
    changed = {
        attr.key
        for attr in state.mapper.column_attrs
        if state.attrs[attr.key].history.has_changes()
    }
    if changed - _MUTABLE:
        raise ToolkitImmutable(
            f"toolkit versions never change once loaded (tried to change "
            f"{', '.join(sorted(changed - _MUTABLE))}): load a new version instead"
        )


@event.listens_for(ToolkitVersion, "before_delete")
def _refuse_delete(_mapper, _connection, _target: ToolkitVersion) -> None:
    raise ToolkitImmutable("toolkit versions are never deleted: audits refer to them")
