"""Files built to exhaust memory (issue 13): each is refused before it is parsed or held, with a
message naming what and where, and the database is left as it was. The limits are lowered so
that the files stay small."""

from datetime import date

import pytest

from qa_app.importers import Limits, read_files
from qa_app.importers import own_csv as own_csv_reader
from tests.importers.test_hostile import minimal_lists, refused, workbook
from tests.support.factories import CaseFactory
from tests.support.importing import database_state, do_import, source
from tests.support.zips import forge_size, with_part

D = date(2021, 3, 31)
LIST_6 = minimal_lists()["List 6"][0]


@pytest.fixture
def existing(app_ctx):
    CaseFactory(cohort="cin")
    return database_state()


OWN_CSV = "child_id,dob,sex,ethnicity,disability,cohort,opened_on,team,worker,worker_email,iro\n"


def list_6(rows: int) -> bytes:
    body = [LIST_6] + [[i, "01/01/2021", None, "T", "W"] for i in range(1, rows + 1)]
    return workbook(minimal_lists(**{"List 6": body}))


def test_a_workbook_declaring_too_much_is_refused_by_its_zip_directory(existing):
    bomb = with_part(workbook(minimal_lists()), "docProps/padding.xml", b"\0" * 300_000)
    refused(
        [source("bomb.xlsx", bomb)],
        "bomb.xlsx: the workbook would expand to ",
        limits=Limits(max_inflated_bytes=200_000),
    )
    refused(
        [source("bomb.xlsx", bomb)],
        "over the limit of 200,000 bytes (IMPORT_MAX_INFLATED_BYTES)",
        limits=Limits(max_inflated_bytes=200_000),
    )
    assert database_state() == existing


def test_a_lying_zip_directory_is_refused_while_inflating(existing):
    # The directory says List 6's sheet is 1,000 bytes; it inflates to far more. zipfile alone
    # would stop at 1,000 bytes and report a bad CRC; the reader says what happened.
    forged = forge_size(list_6(3000), "xl/worksheets/sheet2.xml", 1000)
    refused(
        [source("forged.xlsx", forged)],
        "forged.xlsx: the part xl/worksheets/sheet2.xml inflates to more than the 1,000 bytes "
        "the ZIP directory declares; the file is damaged or forged and is refused",
    )
    assert database_state() == existing


def test_an_over_long_cell_names_file_sheet_row_and_column(existing):
    rows = [LIST_6, [1, "01/01/2021", None, "T", "W" * 60]]
    data = workbook(minimal_lists(**{"List 6": rows}))
    refused(
        [source("a.xlsx", data)],
        "a.xlsx, sheet 'List 6', row 2, column E: a cell of 60 characters, over the limit of 50 "
        "(IMPORT_MAX_CELL_CHARS)",
        limits=Limits(max_cell_chars=50),
    )
    # Far over the cap (here 5,000 characters; in production anything past about 330,000), the
    # text is found in the shared strings before openpyxl loads them, and the cell that shows it
    # is looked up for the message.
    rows = [LIST_6, [1, "01/01/2021", None, "T", "W"], [2, "Z" * 5000, None, "T", "W"]]
    data = workbook(minimal_lists(**{"List 6": rows}))
    refused(
        [source("a.xlsx", data)],
        "a.xlsx, sheet 'List 6', row 3, column B: a cell longer than 50 characters",
        limits=Limits(max_cell_chars=50),
    )
    csv = OWN_CSV + "1,,,,,cin,,T," + "W" * 60 + ",,\n"
    refused(
        [source("cases.csv", csv)],
        "cases.csv line 2, column 9 (worker): a cell of 60 characters, over the limit of 50",
        limits=Limits(max_cell_chars=50),
    )
    xml = "<Message><Children><Child><ChildIdentifiers><LAchildID>" + "1" * 5000
    refused(
        [
            source(
                "census.xml", xml + "</LAchildID></ChildIdentifiers></Child></Children></Message>"
            )
        ],
        "census.xml line 1: a value longer than 50 characters",
        limits=Limits(max_cell_chars=50),
    )
    assert database_state() == existing


def test_too_many_csv_rows_are_refused_before_any_row_is_read(existing, monkeypatch):
    read = []
    monkeypatch.setattr(own_csv_reader, "_row", lambda *args: read.append(args))
    rows = OWN_CSV + "".join(f"{i},,,,,cin,,T,W,,\n" for i in range(1, 8))
    refused(
        [source("cases.csv", rows)],
        "cases.csv: more than 5 rows; split the file or ask for the limit (IMPORT_MAX_ROWS)",
        limits=Limits(max_rows=5),
    )
    assert read == []  # counted first: not one row was parsed into the snapshot
    assert database_state() == existing


def test_too_many_xml_children_are_refused_before_any_is_read(existing):
    child = "<Child><ChildIdentifiers><LAchildID>{}</LAchildID></ChildIdentifiers></Child>"
    census = "<Message><Children>" + "".join(child.format(i) for i in range(8))
    census += "</Children></Message>"
    for encoding in ("utf-8", "utf-16"):
        refused(
            [source("census.xml", census.encode(encoding))],
            "census.xml: more than 5 children; ask for the limit (IMPORT_MAX_ROWS) to be raised",
            limits=Limits(max_rows=5),
        )
    messages = []
    with pytest.raises(Exception, match="more than 5 children"):
        read_files(
            [source("census.xml", census)],
            D,
            limits=Limits(max_rows=5),
            progress=lambda _fraction, message: messages.append(message),
        )
    assert messages == []  # refused while the file was recognised, before it was read
    assert database_state() == existing


def test_too_many_rows_in_any_sheet_refuse_the_workbook_before_a_list_is_read(existing):
    # List 4 is read last (after Lists 8, 7, 6 and 9): it is refused before any of them.
    body = [minimal_lists()["List 4"][0]] + [[i, "01/01/2021", None, "T", "W"] for i in range(8)]
    data = workbook(minimal_lists(**{"List 4": body}))
    messages = []
    with pytest.raises(Exception, match=r"a\.xlsx, sheet 'List 4': more than 5 rows"):
        read_files(
            [source("a.xlsx", data)],
            D,
            limits=Limits(max_rows=5),
            progress=lambda _fraction, message: messages.append(message),
        )
    assert not [m for m in messages if m.startswith("Reading List")]
    assert database_state() == existing


def test_rows_at_the_limit_are_read(existing):
    summary = do_import([source("a.xlsx", list_6(5))], D, limits=Limits(max_rows=5))
    assert summary["open_cases"] == 5
    rows = OWN_CSV + "".join(f"{i},,,,,cin,,T,W,,\n" for i in range(1, 6))
    summary = do_import([source("cases.csv", rows)], D, limits=Limits(max_rows=5))
    assert summary["open_cases"] == 5


def test_a_legacy_xls_over_its_own_limit_is_refused_unread(existing):
    legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 5000
    refused(
        [source("old.xls", legacy)],
        "old.xls: 0.0 MB is over the limit of 0 MB for a legacy .xls workbook, which is read "
        "whole into memory (IMPORT_MAX_XLS_BYTES)",
        limits=Limits(max_xls_bytes=4096),
    )
    assert database_state() == existing
