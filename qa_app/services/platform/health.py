"""Health of the service's dependencies, for /healthz and for banners."""

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from qa_app.extensions import db


def database_status() -> tuple[bool, str]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        return False, type(exc).__name__
    return True, "ok"
