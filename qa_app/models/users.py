"""Staff who use the service, their roles and their absences."""

import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from qa_app.extensions import db
from qa_app.models.base import TimestampMixin
from qa_app.models.org import Locality, Team
from qa_app.models.vocab import DEFAULT_CAPACITY, ROLES
from qa_app.textnorm import clean_text, name_key


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, db.Model):
    """A member of staff. *pending* staff were named in an import and cannot sign in yet."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    swe_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=False)

    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    # Set for people who lead a locality without belonging to one of its teams (heads of service).
    locality_id: Mapped[int | None] = mapped_column(ForeignKey("localities.id"), index=True)
    line_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Monthly audit capacity; None means the default for the person's auditor roles.
    capacity: Mapped[int | None]
    # The social work qualification: caseloads are reported by years since (ASYE, 1-3, ...).
    qualified_on: Mapped[date | None]

    active: Mapped[bool] = mapped_column(default=True)
    pending: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Part of the login cookie: rotating it signs the user out everywhere.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    notification_mode: Mapped[str] = mapped_column(String(10), default="immediate")

    team: Mapped[Team | None] = relationship()
    locality: Mapped[Locality | None] = relationship()
    line_manager: Mapped["User | None"] = relationship(remote_side=[id])
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @validates("name")
    def _set_name_key(self, _key: str, value: str) -> str:
        value = clean_text(value)
        self.name_key = name_key(value)
        return value

    @validates("email")
    def _normalise_email(self, _key: str, value: str | None) -> str | None:
        if value is None:
            return None
        return clean_text(value).lower() or None

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def set_roles(self, roles: set[str] | list[str] | tuple[str, ...]) -> None:
        unknown = set(roles) - ROLES.keys()
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
        keep = [row for row in self.role_rows if row.role in roles]
        have = {row.role for row in keep}
        self.role_rows = keep + [UserRole(role=r) for r in sorted(set(roles) - have)]

    def has_role(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return self.active and not self.pending

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def effective_locality_id(self) -> int | None:
        if self.locality_id is not None:
            return self.locality_id
        return self.team.locality_id if self.team else None

    @property
    def effective_capacity(self) -> int:
        """Monthly audits: the person's own figure, else the largest default of their roles."""
        if self.capacity is not None:
            return self.capacity
        return max((DEFAULT_CAPACITY.get(r, 0) for r in self.roles), default=0)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class Absence(db.Model):
    """A period when someone cannot audit: leave, sickness, or an approved exemption."""

    __tablename__ = "absences"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(20), default="absence")  # absence | exemption
    reason: Mapped[str | None] = mapped_column(String(200))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
