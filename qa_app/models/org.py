"""The organisation: localities and teams."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from qa_app.extensions import db
from qa_app.models.base import TimestampMixin
from qa_app.textnorm import clean_text, name_key


class Locality(db.Model):
    __tablename__ = "localities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    teams: Mapped[list["Team"]] = relationship(back_populates="locality", order_by="Team.name")

    def __repr__(self) -> str:
        return f"<Locality {self.name}>"


class Team(TimestampMixin, db.Model):
    """A team; *pending* teams were named in an import and await confirmation by qa_admin."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    locality_id: Mapped[int | None] = mapped_column(ForeignKey("localities.id"), index=True)
    service: Mapped[str | None] = mapped_column(String(30))
    pending: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    locality: Mapped[Locality | None] = relationship(back_populates="teams")

    @validates("name")
    def _set_name_key(self, _key: str, value: str) -> str:
        value = clean_text(value)
        self.name_key = name_key(value)
        return value

    def __repr__(self) -> str:
        return f"<Team {self.name}>"
