"""Counting the SQL statements a piece of code runs (e.g. that a cached figure is read, not
computed)."""

from sqlalchemy import event

from qa_app.extensions import db


def statements(fn) -> list[str]:
    """The statements *fn()* executes on the app's engine."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen
