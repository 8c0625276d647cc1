"""Undoing the latest import: every case, child, team and event row as it was (issue 15)."""

from datetime import date

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Case, Child, Import, Team, User
from qa_app.services.imports.undo import UndoRefused, blockers, latest_import, undo_import
from qa_app.services.performance.tables import EVENT_TABLES
from tests.support.factories import make_assignment, make_user
from tests.support.importing import NOW, do_import, sample, source

HEADER = "child_id,dob,sex,cohort,opened_on,team,worker\n"


def cases_csv(rows) -> object:
    return source("cases.csv", HEADER + "".join(r + "\n" for r in rows))


def table(model_or_table) -> list[tuple]:
    """Every row of a table, every column, in id order."""
    t = getattr(model_or_table, "__table__", model_or_table)
    return [tuple(r) for r in db.session.execute(select(t).order_by(t.c.id))]


def state() -> tuple:
    return (
        table(Case), table(Child), table(Team), table(User),
        tuple(table(t) for t in EVENT_TABLES.values()),
    )  # fmt: skip


def undo_latest(by=None) -> dict:
    counts = undo_import(latest_import(), by=by, now=NOW)
    db.session.commit()
    return counts


def test_undo_puts_back_closed_updated_and_recohorted_cases_and_removes_new_ones(app_ctx):
    do_import(
        [cases_csv([
            "1,2010-01-01,F,cin,2025-01-01,North,Ann Lee",
            "2,2011-01-01,M,cin,2025-01-01,North,Ann Lee",
            "3,2012-01-01,M,cp,2025-01-01,South,Bo Kim",
        ])],
        date(2025, 6, 1),
    )  # fmt: skip
    admin = make_user("qa_admin")
    before = state()
    summary = do_import(
        [cases_csv([
            "1,2010-02-02,F,cin,2025-01-01,East,Cy New",  # moved team, new worker, new dob
            "3,2012-01-01,M,cin,2025-05-01,South,Bo Kim",  # cp -> cin: closed and reopened
            "4,2013-01-01,F,cp,2025-06-01,South,Bo Kim",  # new child
        ])],  # 2 is absent: closed
        date(2025, 7, 1),
    )  # fmt: skip
    assert summary["closed"] == 1 and summary["changes"]["cohort_changed"] == 1
    assert state() != before
    counts = undo_latest(by=admin)
    assert state() == before
    assert counts == {"cases_removed": 2, "cases_restored": 3}
    record = db.session.scalar(select(Import).order_by(Import.id.desc()))
    assert (record.status, record.undone_by, record.undone_at) == ("undone", admin, NOW)
    # The first import is now the latest, and undoing it too empties the case table.
    assert latest_import().id == record.id - 1
    undo_latest()
    assert state()[:3] == ([], [], [])
    assert table(User) == [tuple(r) for r in table(User) if r[0] == admin.id]


def test_undo_restores_the_event_rows_an_import_replaced(app_ctx):
    do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    before = state()
    assert sum(len(rows) for rows in before[4]) > 0
    summary = do_import([sample("Annex_A.xlsx")], date(2021, 6, 30))
    assert any(k["removed"] or k["added"] for k in summary["events"]["kinds"].values())
    undo_latest()
    assert state() == before


def test_only_the_latest_import_is_undone(app_ctx):
    do_import([cases_csv(["1,,,cin,2025-01-01,North,Ann Lee"])], date(2025, 6, 1))
    do_import([cases_csv(["1,,,cin,2025-01-01,North,Ann Lee"])], date(2025, 7, 1))
    first = db.session.scalar(select(Import).order_by(Import.id))
    with pytest.raises(UndoRefused, match=r"a later import \(import \d+\) depends on it"):
        undo_import(first, by=None, now=NOW)


def test_work_on_a_case_it_opened_blocks_the_undo_and_is_named(app_ctx):
    do_import([cases_csv(["1,,,cin,2025-01-01,North,Ann Lee"])], date(2025, 6, 1))
    case = db.session.scalar(select(Case))
    make_assignment(case=case)
    before = state()
    reasons = blockers(latest_import())
    assert "1 sampled cases on cases or children it added" in reasons
    assert "the sample for 2026-11 was drawn from its cases" in reasons
    with pytest.raises(UndoRefused, match="cannot be undone: 1 sampled cases"):
        undo_import(latest_import(), by=None, now=NOW)
    db.session.rollback()
    assert state() == before and latest_import().status == "complete"


def test_the_demo_import_kept_nothing_and_is_not_undone(app_ctx):
    db.session.add(Import(format="demo", as_of=date(2025, 1, 1), created_at=NOW))
    db.session.commit()
    assert blockers(latest_import()) == [
        "it kept no copy of the cases as they were (the demo data, or an import made before "
        "undo was possible)"
    ]


ROW = st.tuples(
    st.integers(0, 11),  # child
    st.sampled_from(["cin", "cp", "cla"]),
    st.sampled_from(["North", "South", "East"]),
    st.sampled_from(["Ann Lee", "Bo Kim", ""]),
    st.sampled_from(["2024-01-01", "2025-03-01", "31/02/2025"]),  # one is rejected
)


@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking a DB test takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=st.lists(ROW, min_size=1, max_size=10), second=st.lists(ROW, min_size=1, max_size=10))
def test_import_then_undo_restores_the_exact_tables(app_ctx, first, second):
    def csv(rows):
        return cases_csv(f"{c},,,{cohort},{opened},{team},{worker}" for c, cohort, team,
                         worker, opened in rows)  # fmt: skip

    # Every file is confirmed with the number it closes: the rule is tested elsewhere.
    closing = do_import([csv(first)], date(2025, 6, 1), dry_run=True)["closed"]
    do_import([csv(first)], date(2025, 6, 1), confirm_closures=closing)
    before = state()
    closing = do_import([csv(second)], date(2025, 7, 1), dry_run=True)["closed"]
    do_import([csv(second)], date(2025, 7, 1), confirm_closures=closing)
    undo_latest()
    assert state() == before
    undo_latest()  # and the first: back to nothing, ready for the next example
    assert state()[:4] == ([], [], [], [])
