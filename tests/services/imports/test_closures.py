"""The closure rule: an import closing more than a share of the open cases it covers, or
accepting no row, needs the exact number of cases it closes (issue 15)."""

from datetime import date

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Case, Import
from qa_app.services.imports.closures import ClosuresNotConfirmed
from tests.support.importing import database_state, do_import, open_cases, source

HEADER = "child_id,cohort,opened_on,team,worker\n"


def cases_csv(rows: list[str]):
    return source("cases.csv", HEADER + "".join(r + "\n" for r in rows))


def twenty_open():
    """20 open cases: 12 CIN in North, 8 CP in South."""
    rows = [f"{i},cin,2025-01-01,North,Ann Lee" for i in range(12)]
    rows += [f"{i},cp,2025-01-01,South,Bo Kim" for i in range(12, 20)]
    do_import([cases_csv(rows)], date(2025, 6, 1), closure_share=0.10)


def test_closing_most_of_the_cases_is_refused_without_the_number(app_ctx):
    twenty_open()
    before = database_state()
    kept = cases_csv(["0,cin,2025-01-01,North,Ann Lee", "12,cp,2025-01-01,South,Bo Kim"])
    with pytest.raises(
        ClosuresNotConfirmed, match="would close 18 of the 20 open cases of the cohorts it covers"
    ):
        do_import([kept], date(2025, 7, 1), closure_share=0.10)
    db.session.rollback()
    assert database_state() == before
    with pytest.raises(ClosuresNotConfirmed, match="close 18 cases, not 17"):
        do_import([kept], date(2025, 7, 1), closure_share=0.10, confirm_closures=17)
    db.session.rollback()
    assert database_state() == before

    summary = do_import([kept], date(2025, 7, 1), closure_share=0.10, confirm_closures=18)
    assert set(open_cases()) == {"0", "12"}
    assert summary["closing"]["cases"] == 18 and summary["closing"]["covered_open"] == 20
    assert summary["closing"]["by_cohort"] == {"cin": 11, "cp": 7}
    assert summary["closing"]["by_team"] == [["North", 11], ["South", 7]]
    assert summary["confirmation"]["needed"] is True


def test_a_dry_run_says_a_confirmation_is_needed_and_is_not_refused(app_ctx):
    twenty_open()  # the file is all CIN: the case CSV covers the cohorts it holds
    summary = do_import(
        [cases_csv(["0,cin,2025-01-01,North,Ann Lee"])], date(2025, 7, 1),
        closure_share=0.10, dry_run=True,
    )  # fmt: skip
    assert summary["confirmation"] == {
        "needed": True,
        "reason": "11 of the 12 open cases of the cohorts it covers (more than 10%)",
        "share": 0.10,
    }
    assert len(open_cases()) == 20


def test_closing_up_to_the_share_needs_no_confirmation(app_ctx):
    twenty_open()
    rows = [f"{i},cin,2025-01-01,North,Ann Lee" for i in range(1, 12)]
    rows += [f"{i},cp,2025-01-01,South,Bo Kim" for i in range(13, 20)]
    summary = do_import([cases_csv(rows)], date(2025, 7, 1), closure_share=0.10)
    assert summary["closed"] == 2 and summary["confirmation"]["needed"] is False  # 2 of 20
    assert len(open_cases()) == 18


def test_the_share_is_a_setting(app_ctx):
    twenty_open()
    summary = do_import(
        [cases_csv(["0,cin,2025-01-01,North,Ann Lee"])], date(2025, 7, 1), closure_share=0.95
    )
    assert summary["closed"] == 11 and len(open_cases()) == 9


def test_a_file_with_no_accepted_row_needs_confirming_even_closing_nothing(app_ctx):
    rejected = cases_csv(["=1+1,cin,2025-01-01,North,Ann Lee", "2,cin,31/02/2025,North,Ann Lee"])
    with pytest.raises(
        ClosuresNotConfirmed, match="would close 0 cases, and no row in the files was accepted"
    ):
        do_import([rejected], date(2025, 7, 1), closure_share=0.10)
    db.session.rollback()
    assert db.session.scalar(select(Import.id)) is None
    summary = do_import([rejected], date(2025, 7, 1), closure_share=0.10, confirm_closures=0)
    assert summary["children"] == 0 and len(summary["rejected"]) == 2
    assert db.session.scalar(select(Case.id)) is None
