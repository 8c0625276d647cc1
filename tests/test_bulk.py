"""Bulk inserts store what the ORM would: the same values back, defaults filled, in the
caller's transaction (PostgreSQL COPY, the driver's executemany on SQLite)."""

import gc
from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qa_app.bulk import BULK_CACHE_KIB, bulk_load, indexes_built_after, insert_many, insert_rows
from qa_app.extensions import db
from qa_app.models import Audit, AuditComplianceAnswer, AuditSectionGrade, Import


def _rows(n: int) -> list[dict]:
    return [
        {
            "format": f"csv-{i}",
            "as_of": date(2026, 1, 1 + i % 28),
            "created_at": datetime(2026, 2, 3, 4, 5, 6, i),
            "files": [{"name": f"file {i}.csv", "size": i}],
            "summary": {"by_cohort": {"cp": i}, "note": None},
        }
        for i in range(n)
    ]


def test_bulk_rows_read_back_as_the_orm_wrote_them(app_ctx):
    insert_rows(Import.__table__, _rows(3))
    db.session.commit()
    stored = db.session.scalars(select(Import).order_by(Import.format)).all()
    assert [i.format for i in stored] == ["csv-0", "csv-1", "csv-2"]
    second = stored[1]
    assert second.as_of == date(2026, 1, 2)
    assert second.created_at == datetime(2026, 2, 3, 4, 5, 6, 1)
    assert second.files == [{"name": "file 1.csv", "size": 1}]
    assert second.summary == {"by_cohort": {"cp": 1}, "note": None}
    # Left out of the rows: the model's defaults apply.
    assert (second.status, second.children, second.rejected_rows) == ("complete", 0, 0)


def test_bulk_rows_compare_with_orm_rows_in_queries(app_ctx):
    """A bulk-inserted timestamp sorts and compares exactly as one the ORM stored."""
    db.session.add(Import(format="orm", as_of=date(2026, 1, 1), created_at=datetime(2026, 2, 3)))
    insert_rows(Import.__table__, [{**_rows(1)[0], "created_at": datetime(2026, 2, 3)}])
    db.session.commit()
    same_moment = db.session.scalars(
        select(Import.format).where(Import.created_at == datetime(2026, 2, 3))
    ).all()
    assert sorted(same_moment) == ["csv-0", "orm"]


def test_bulk_insert_is_part_of_the_callers_transaction(app_ctx):
    assert insert_many(Import.__table__, iter(_rows(25)), batch=10) == 25
    db.session.rollback()
    assert db.session.scalars(select(Import)).all() == []


def test_bulk_load_restores_the_connection_settings(app_ctx):
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        with bulk_load():
            insert_rows(Import.__table__, _rows(2))
        assert len(db.session.scalars(select(Import)).all()) == 2
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    with bulk_load():
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -BULK_CACHE_KIB
        insert_rows(Import.__table__, _rows(2))
    assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == before
    assert len(db.session.scalars(select(Import)).all()) == 2


def _schema(connection) -> tuple[set, set]:
    """The database's own index and foreign key definitions for the audit tables."""
    if connection.dialect.name == "postgresql":
        indexes = connection.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE left(tablename, 5) = 'audit'"
        ).all()
        keys = connection.exec_driver_sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND left(conrelid::regclass::text, 5) = 'audit'"
        ).all()
        return set(indexes), set(keys)
    indexes = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'audit%'"
    ).all()
    keys = {
        (table, *key)
        for (table,) in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'audit%'"
        )
        for key in connection.exec_driver_sql(f"PRAGMA foreign_key_list('{table}')")
    }
    return set(indexes), keys


def test_indexes_built_after_a_load_are_the_ones_the_migrations_made(app_ctx):
    connection = db.session.connection()
    before = _schema(connection)
    tables = [Audit.__table__, AuditSectionGrade.__table__, AuditComplianceAnswer.__table__]
    with indexes_built_after(tables):
        during = _schema(connection)
        assert len(during[0]) < len(before[0]), "the secondary indexes are dropped for the load"
    assert _schema(connection) == before
    db.session.commit()
    assert _schema(db.session.connection()) == before


def test_a_row_breaking_a_deferred_foreign_key_still_fails_the_load(app_ctx):
    tables = [Audit.__table__, AuditSectionGrade.__table__]
    with pytest.raises(IntegrityError), indexes_built_after(tables):
        insert_rows(
            AuditSectionGrade.__table__,
            [{"audit_id": 999_999, "section_key": "recording", "grade": 2}],
        )
    db.session.rollback()
    assert db.session.scalars(select(AuditSectionGrade)).all() == []


def test_bulk_load_pauses_the_garbage_collector_only_while_it_runs(app_ctx):
    assert gc.isenabled()
    with bulk_load():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with bulk_load():
            pass
        assert not gc.isenabled(), "a caller that had paused it keeps it paused"
    finally:
        gc.enable()
