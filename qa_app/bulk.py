"""Fast bulk INSERT of plain rows: PostgreSQL COPY, or the driver's executemany elsewhere.

For loading tens of thousands of rows (demo council, imports, samples) without the ORM. Column
defaults declared on the models are applied here, since COPY bypasses SQLAlchemy.

Elsewhere (SQLite) the values go through each column type's bind processor once and then straight
to the DB-API executemany: SQLAlchemy's own executemany builds a parameter dict per row, which
costs several times the insert itself for the million-row demo history.
"""

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime

from psycopg.types.json import Json
from sqlalchemy import JSON, Boolean, Date, DateTime, Table

from qa_app.extensions import db

# SQLite's default page cache is 2 MB: once a table's indexes outgrow it, every insert into a
# million-row load reads index pages back from the file. 256 MB holds the demo history's.
BULK_CACHE_KIB = 262_144


@contextmanager
def bulk_load() -> Iterator[None]:
    """Settings for loading millions of rows in the session's transaction.

    Python's cyclic garbage collector is paused: a load holds millions of new rows (dicts,
    tuples), and each full collection walks them all, which cost a fifth of the 100,000-case
    demo seed. Rows make no reference cycles; whatever the load leaves is collected at the end.
    """
    collecting = gc.isenabled()
    gc.disable()
    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")
        if collecting:
            gc.enable()
            gc.collect()


@contextmanager
def indexes_built_after(tables: Sequence[Table]) -> Iterator[None]:
    """Load *tables* without their secondary indexes and (on PostgreSQL) foreign keys, then
    build them again, all in the session's transaction. For a load into empty tables.

    Building an index once from the loaded rows is a sort; keeping it up to date row by row is a
    random write per row per index. PostgreSQL checks a foreign key on every row with a locking
    lookup in the parent table (a third of the demo history's load); adding the constraint back
    checks all rows in one join, so a row that breaks it still fails the load. The definitions
    come from the database itself, so what is rebuilt is exactly what the migrations made.
    Unique constraints stay in place. Dropping a foreign key locks its parent table (users,
    cases) against other sessions until the load commits: fine for the demo seed, which runs
    only into an empty database; not for loads into a council's live data. If the load raises,
    nothing is rebuilt: the caller's rollback undoes the drops with the rows.
    """
    connection = db.session.connection()
    names = [table.name for table in tables]
    if connection.dialect.name == "postgresql":
        foreign_keys = connection.exec_driver_sql(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) "
            "ORDER BY 1, 2",
            (names,),
        ).all()
        indexes = [
            (name, definition)
            for name, definition in connection.exec_driver_sql(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY 1",
                (names,),
            )
            if not definition.startswith("CREATE UNIQUE")
        ]
    else:
        foreign_keys = []
        indexes = [
            (name, definition)
            for name, table, definition in connection.exec_driver_sql(
                "SELECT name, tbl_name, sql FROM sqlite_master "
                "WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
            )
            if table in names and not definition.startswith("CREATE UNIQUE")
        ]
    for table, name, _definition in foreign_keys:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, definition in indexes:
        connection.exec_driver_sql(definition)
    for table, name, definition in foreign_keys:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    if connection.dialect.name == "postgresql":
        # The planner has no statistics for rows loaded in this transaction.
        for name in names:
            connection.exec_driver_sql(f'ANALYZE "{name}"')


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
    names = ", ".join(f'"{table.columns[c].name}"' for c in columns)
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        _executemany(connection, table, columns, names, rows, tuple(filled.values()))
        return
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


def _executemany(
    connection, table: Table, columns: list[str], names: str, rows, fill: tuple
) -> None:
    """SQLite (qmark parameters): one INSERT, every row through the driver's executemany."""
    processors = [_bind_processor(table.columns[c].type, connection.dialect) for c in columns]
    marks = ", ".join("?" for _ in columns)
    convert = [(i, process) for i, process in enumerate(processors) if process is not None]
    values = []
    for row in rows:
        value = [*row.values(), *fill]
        for i, process in convert:
            value[i] = process(value[i])
        values.append(tuple(value))
    connection.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',  # noqa: S608 - model names
        values,
    )


_PROBE = datetime(2001, 2, 3, 4, 5, 6, 7)


def _bind_processor(column_type, dialect):
    """The column type's bind processor, or a faster one that gives the same result.

    SQLite has no date types: SQLAlchemy stores ISO 8601 text, which ``isoformat`` writes in C;
    the probe checks the column's storage format is the one ``isoformat`` writes. Python's
    booleans bind as 1 and 0 without help.
    """
    impl = column_type.dialect_impl(dialect)
    process = impl.bind_processor(dialect)
    if dialect.name != "sqlite" or process is None:
        return process
    if isinstance(impl, Boolean):
        return None
    if isinstance(impl, DateTime) and process(_PROBE) == _PROBE.isoformat(" ", "microseconds"):
        return lambda value: (
            value.isoformat(" ", "microseconds")
            if type(value) is datetime and value.tzinfo is None
            else process(value)
        )
    if isinstance(impl, Date) and process(_PROBE.date()) == _PROBE.date().isoformat():
        return lambda value: value.isoformat() if type(value) is date else process(value)
    return process


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
