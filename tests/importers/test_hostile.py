"""Hostile and wrong input: each gets a precise message and leaves the database unchanged."""

import io
import zipfile
from datetime import date

import openpyxl
import pytest

from qa_app.extensions import db
from qa_app.importers import Limits, StructuralError
from tests.support.factories import CaseFactory
from tests.support.importing import database_state, do_import, sample, source

D = date(2021, 3, 31)

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Message [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&lol9;</LAchildID></ChildIdentifiers>
</Child></Children></Message>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE EXPSSDA903 [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<EXPSSDA903><CHILD><HEADER><CHILDID>&secret;</CHILDID></HEADER></CHILD></EXPSSDA903>"""


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def minimal_lists(**override) -> dict[str, list[list]]:
    sheets = {
        "List 4": [["Child Unique ID", "Continuous Assessment Start Date",
                    "Continuous Assessment Date of Authorisation", "Allocated Team",
                    "Allocated Worker"]],
        "List 6": [["Child Unique ID", "CIN Start Date", "CIN Closure Date", "Allocated Team",
                    "Allocated Worker"], [1, "01/01/2021", None, "T", "W"]],
        "List 7": [["Child Unique ID", "Child Protection Plan Start Date",
                    "Child Protection Plan End Date", "Allocated Team", "Allocated Worker"]],
        "List 8": [["Child Unique ID", "Date Started to be Looked After",
                    "Date Ceased to be Looked After", "Child's Legal Status", "Allocated Team",
                    "Allocated Worker"]],
        "List 9": [["Child Unique ID", "Allocated Team", "Allocated Personal Advisor"]],
    }  # fmt: skip
    sheets.update(override)
    return {k: v for k, v in sheets.items() if v is not None}


@pytest.fixture
def existing(app_ctx):
    CaseFactory(cohort="cin")
    return database_state()


def refused(files, message: str, *, fmt=None, limits=None) -> None:
    with pytest.raises(StructuralError) as caught:
        do_import(files, D, fmt=fmt, limits=limits)
    db.session.rollback()
    assert message in str(caught.value), str(caught.value)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("census.xml", BILLION_LAUGHS, "census.xml: the file contains a document type declaration"),
        ("903.xml", EXTERNAL, "refused for safety"),
        ("empty.csv", b"", "empty.csv: this looks like an empty file"),
        ("blank.xlsx", b"\r\n  \r\n", "this looks like an empty file"),
        ("report.pdf", b"%PDF-1.7\n%...", "report.pdf: this looks like a PDF document"),
        (
            "photo.xlsx",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "photo.xlsx: this looks like an image",
        ),
        ("data.bin", b"\x01\x02\x00\x03" * 10, "data.bin: this looks like a binary file"),
        ("notes.xml", "<notes><note/></notes>", "whose root element is <notes>"),
        ("broken.xml", "<Message><Children><Child>", "broken.xml: not well-formed XML"),
        (
            "other.csv",
            "name,amount\nx,1\n",
            "this looks like a table with the columns name, amount",
        ),
    ],
)
def test_wrong_and_hostile_files(existing, name, data, message):
    refused([source(name, data)], message)
    assert database_state() == existing


def test_entity_bomb_is_refused_before_expansion(existing):
    refused([source("bomb.xml", BILLION_LAUGHS)], "refused for safety")
    assert database_state() == existing


def test_word_document_and_zip(existing):
    for inner, kind in (("word/document.xml", "a Word document"), ("data.txt", "a ZIP archive")):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr(inner, "x")
        refused([source("file.xlsx", out.getvalue())], f"file.xlsx: this looks like {kind}")
    assert database_state() == existing


def test_the_wrong_format_is_named(existing):
    refused(
        [sample("SSDA903_2020_episodes.csv")],
        "SSDA903_2020_episodes.csv: this looks like an SSDA903 Episodes table, not an Ofsted "
        "Annex A workbook",
        fmt="annex-a",
    )
    refused(
        [sample("Annex_A.xlsx")],
        "this looks like an Ofsted Annex A workbook, not a CIN census",
        fmt="cin-census",
    )
    assert database_state() == existing


def test_missing_sheet_and_missing_column_name_the_sheet_and_column(existing):
    refused(
        [source("a.xlsx", workbook(minimal_lists(**{"List 8": None})))],
        "a.xlsx: missing sheet List 8 (children in care)",
    )
    no_end = [["Child Unique ID", "CIN Start Date", "Allocated Team", "Allocated Worker"]]
    refused(
        [source("a.xlsx", workbook(minimal_lists(**{"List 6": no_end})))],
        "a.xlsx, sheet 'List 6': missing column 'CIN Closure Date'",
    )
    no_header = [["List 6: Children in Need"], ["nothing here"]]
    refused(
        [source("a.xlsx", workbook(minimal_lists(**{"List 6": no_header})))],
        "sheet 'List 6': no header row with a 'Child Unique ID' column",
    )
    assert database_state() == existing


def test_limits_on_size_rows_and_sheets(existing):
    data = workbook(minimal_lists())
    refused([source("a.xlsx", data)], "over the limit of 0 MB", limits=Limits(max_bytes=1000))
    many_rows = minimal_lists(
        **{"List 6": minimal_lists()["List 6"] + [[i, None, None, "T", "W"] for i in range(2, 12)]}
    )
    refused(
        [source("a.xlsx", workbook(many_rows))],
        "'List 6': more than 5 rows",
        limits=Limits(max_rows=5),
    )
    extra = {f"Sheet{i}": [["x"]] for i in range(10)}
    refused(
        [source("a.xlsx", workbook(minimal_lists(**extra)))],
        "15 sheets, over the limit of 12",
        limits=Limits(max_sheets=12),
    )
    csv_rows = "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC\n" + "".join(
        f"{i},01/01/2020,S,C2,N1,U1,\n" for i in range(10)
    )
    refused([source("e.csv", csv_rows)], "e.csv: more than 5 rows", limits=Limits(max_rows=5))
    assert database_state() == existing


def test_huge_cells(existing):
    huge = "x" * 200_000
    refused(
        [source("e.csv", f"CHILD,DECOM,RNE,LS,CIN,PLACE,DEC\n1,{huge},S,C2,N1,U1,\n")],
        "e.csv line 2, column 2 (DECOM): a cell of 200,000 characters, over the limit of 32,767",
    )
    assert database_state() == existing
    # In a workbook a long cell (under the cap) in a column that is read rejects only its row.
    rows = minimal_lists()["List 6"] + [[2, "01/01/2021", None, "T", "y" * 20_000]]
    summary = do_import([source("a.xlsx", workbook(minimal_lists(**{"List 6": rows})))], D)
    assert summary["rejected"][0]["row"] == 3
    assert summary["rejected"][0]["reason"] == "longer than 500 characters"
    assert summary["open_cases"] == 1


def test_two_workbooks_or_the_same_file_twice(existing):
    refused([sample("Annex_A.xlsx"), sample("Annex_A.xlsx")], "the same file as Annex_A.xlsx")
    other = source("b.xlsx", workbook(minimal_lists()))
    refused([sample("Annex_A.xlsx"), other], "Only one Annex A workbook can be imported at a time")
    assert database_state() == existing


def test_two_sheets_for_one_list(existing):
    sheets = minimal_lists(**{"List_6": minimal_lists()["List 6"]})
    refused([source("a.xlsx", workbook(sheets))], "two sheets for List 6")
    assert database_state() == existing


def test_a_damaged_workbook(existing):
    data = workbook(minimal_lists())
    refused([source("cut.xlsx", data[: len(data) // 2])], "cut.xlsx")
    assert database_state() == existing


def test_entities_inside_a_workbook_are_refused(existing):
    data = workbook(minimal_lists())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(out, "w") as patched:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                content = content.replace(
                    b"<worksheet", b'<!DOCTYPE w [<!ENTITY e "boom">]><worksheet', 1
                )
            patched.writestr(item, content)
    refused([source("bomb.xlsx", out.getvalue())], "refused for safety")
    assert database_state() == existing
