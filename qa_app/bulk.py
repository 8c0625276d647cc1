"""Fast bulk INSERT of plain rows: PostgreSQL COPY, or executemany elsewhere.

For loading tens of thousands of rows (demo council, imports, samples) without the ORM. Column
defaults declared on the models are applied here, since COPY bypasses SQLAlchemy.
"""

from collections.abc import Iterable, Sequence

from psycopg.types.json import Json
from sqlalchemy import JSON, Table, insert

from qa_app.extensions import db


def _defaults(table: Table, keys: set[str]) -> dict[str, object]:
    """Client-side defaults for the columns the rows leave out."""
    values = {}
    for column in table.columns:
        if column.key in keys or column.default is None or column.primary_key:
            continue
        default = column.default
        if default.is_scalar:
            values[column.key] = default.arg
        elif default.is_callable:
            values[column.key] = default.arg(None)
    return values


def insert_rows(table: Table, rows: Sequence[dict]) -> None:
    """Insert *rows* (dicts with the same keys) into *table* in the session's transaction."""
    if not rows:
        return
    keys = set(rows[0])
    filled = _defaults(table, keys)
    columns = [*rows[0].keys(), *filled.keys()]
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(
            insert(table), [{**row, **filled} for row in rows] if filled else list(rows)
        )
        return
    names = ", ".join(f'"{table.columns[c].name}"' for c in columns)
    # COPY bypasses SQLAlchemy's JSON serialisation: wrap JSON values for psycopg.
    json_keys = [c for c in rows[0] if isinstance(table.columns[c].type, JSON)]
    if json_keys:
        rows = [{**row, **{k: Json(row[k]) for k in json_keys}} for row in rows]
    filled = {
        k: Json(v) if isinstance(table.columns[k].type, JSON) else v for k, v in filled.items()
    }
    driver = connection.connection.driver_connection
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
    ):
        fill = tuple(filled.values())
        for row in rows:
            copy.write_row((*row.values(), *fill))


def insert_many(table: Table, rows: Iterable[dict], batch: int = 10_000) -> int:
    """Insert an iterable of rows in batches; returns how many were inserted."""
    pending: list[dict] = []
    count = 0
    for row in rows:
        pending.append(row)
        if len(pending) >= batch:
            insert_rows(table, pending)
            count += len(pending)
            pending = []
    insert_rows(table, pending)
    return count + len(pending)
