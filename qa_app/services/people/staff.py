"""Finding staff, and the choices the staff forms offer."""

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from qa_app.extensions import db
from qa_app.models import Locality, Team, User, UserRole
from qa_app.services.platform.paging import Page, paginate


def search_users(
    *, q: str = "", role: str = "", status: str = "", page: int = 1, now: datetime
) -> Page:
    conditions = []
    if q:
        like = f"%{q.lower()}%"
        conditions.append(or_(func.lower(User.name).like(like), User.email.like(like)))
    if role:
        conditions.append(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if status == "active":
        conditions.append(User.active.is_(True) & User.pending.is_(False))
    elif status == "inactive":
        conditions.append(User.active.is_(False))
    elif status == "pending":
        conditions.append(User.pending.is_(True))
    elif status == "locked":
        conditions.append(User.locked_until > now)
    query = (
        select(User)
        .where(*conditions)
        .options(joinedload(User.team), joinedload(User.locality))
        .order_by(User.pending.desc(), User.name, User.id)
    )
    return paginate(query, page=page)


def team_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Team.id, Team.name, Team.pending).order_by(Team.name)).all()
    return [("", "No team")] + [(str(i), f"{n} (pending)" if p else n) for i, n, p in rows]


def locality_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Locality.id, Locality.name).order_by(Locality.name)).all()
    return [("", "None")] + [(str(i), n) for i, n in rows]
