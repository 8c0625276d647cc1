"""Every export, web and command line, with hostile values in child ids, team and locality names,
staff emails and free text: no cell comes out as something a spreadsheet would run.

The importers refuse such child ids now, so the hostile rows are made with the factories, as
they could be by an older import or a direct database change.
"""

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Import, Moderation, ModerationSectionGrade, ReportVersion
from qa_app.services.platform.csv_files import neutralise
from qa_app.textnorm import FORMULA_STARTS
from tests.support.factories import (
    CaseFactory,
    ChildFactory,
    LocalityFactory,
    TeamFactory,
    make_action,
    make_submitted_audit,
    make_toolkit_version,
    make_user,
)
from tests.support.importing import do_import, source

HOSTILE = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
MONTH = "2026-11"


@pytest.fixture
def hostile(app_ctx):
    version = make_toolkit_version()
    auditor = make_user("advanced_practitioner", email="=auditor@council.test")
    moderator = make_user("independent_auditor", email="+moderator@council.test")
    for n, value in enumerate(HOSTILE):
        locality = LocalityFactory(name=f"{value} locality {n}")
        team = TeamFactory(name=f"{value} team {n}", locality=locality)
        worker = make_user("social_worker", team=team, email=f"{value}{n}@council.test")
        case = CaseFactory(child=ChildFactory(la_child_id=value), team=team, worker=worker)
        audit = make_submitted_audit(
            case=case, auditor=auditor, month=MONTH, toolkit_version=version
        )
        make_action(
            case=case,
            audit=audit,
            owner=worker,
            description=value,
            raised_at=datetime(2026, 11, 21),
        )
    db.session.add(
        Moderation(
            audit_id=audit.id,
            moderator_id=moderator.id,
            reason="random",
            status="compared",
            due_on=date(2026, 12, 7),
            blind_overall_grade=2,
            blind_at=datetime(2026, 11, 25),
            sections=[ModerationSectionGrade(section_key="assessment", blind_grade=2)],
        )
    )
    db.session.commit()
    # An import whose rejected rows carry hostile values and reasons quoting them.
    header = "child_id,dob,sex,ethnicity,disability,cohort,opened_on,team,worker,worker_email,iro\n"
    rows = "".join(
        f'"{v.replace(chr(34), chr(34) * 2)}",{v}x,F,WBRI,no,cin,2025-09-01,T,W,,\n'
        for v in HOSTILE
    )
    good = "0000001,01/01/2012,F,WBRI,no,cin,2025-09-01,T,W,,\n"
    do_import([source("cases.csv", header + good + rows)], date(2026, 3, 31))
    return {
        "qa_admin": make_user("qa_admin"),
        "psw": make_user("psw"),
        "import_id": db.session.scalar(select(Import.id)),
    }


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_csv_neutralised(text: str) -> list[str]:
    """Every cell of *text* (CSV) is safe; returns the cells."""
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    unsafe = [c for c in cells if c[:1] in FORMULA_STARTS and not is_number(c)]
    assert unsafe == []
    return cells


def assert_xlsx_text_cells(content: bytes) -> list[str]:
    """Every string cell of the workbook is a text cell (data type 's'), never a formula."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    strings = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
                    strings.append(cell.value)
    return strings


def quoted_hostile_in(cells: list[str]) -> set[str]:
    """Which hostile values appear, quoted, at the start of some cell (proves they got there)."""
    return {v for v in HOSTILE if any(c.startswith(neutralise(v)) for c in cells)}


def test_web_exports(client, auth, hostile):
    auth.login(hostile["qa_admin"])
    sample = client.get(f"/cycles/{MONTH}/export.csv")
    assert sample.status_code == 200
    cells = assert_csv_neutralised(sample.get_data(as_text=True))
    assert quoted_hostile_in(cells) == set(HOSTILE)
    rejected = client.get(f"/imports/{hostile['import_id']}/rejected.csv")
    cells = assert_csv_neutralised(rejected.get_data(as_text=True).lstrip("\ufeff"))
    assert quoted_hostile_in(cells) >= {'=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)"}
    auth.login(hostile["psw"])
    actions = client.get("/actions/dashboard.csv")
    cells = assert_csv_neutralised(actions.get_data(as_text=True))
    assert quoted_hostile_in(cells) == set(HOSTILE)  # owner emails and team names
    workbook = client.get("/actions/dashboard.xlsx")
    strings = assert_xlsx_text_cells(workbook.data)
    # Team names are trimmed when saved; locality names keep a leading tab.
    assert {f"{v} team {n}" for n, v in enumerate(HOSTILE[:4])} | {"\tTAB locality 4"} <= set(
        strings
    )


def test_command_line_exports(runner, hostile, tmp_path):
    result = runner.invoke(args=["sample", "export", "--month", MONTH])
    assert result.exit_code == 0, result.output
    assert quoted_hostile_in(assert_csv_neutralised(result.output)) == set(HOSTILE)

    result = runner.invoke(args=["actions", "export", "--status", "all"])
    assert result.exit_code == 0, result.output
    assert quoted_hostile_in(assert_csv_neutralised(result.output)) == set(HOSTILE)

    result = runner.invoke(args=["moderation", "export", "--month", MONTH])
    assert result.exit_code == 0, result.output
    cells = assert_csv_neutralised(result.output)
    assert {"'=auditor@council.test", "'+moderator@council.test"} <= set(cells)

    result = runner.invoke(args=["report", "export", "--month", MONTH, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("audits.csv", "actions.csv", "moderation.csv"):
        with (tmp_path / name).open(newline="", encoding="utf-8") as handle:
            cells = assert_csv_neutralised(handle.read())
        if name != "moderation.csv":
            assert quoted_hostile_in(cells) == set(HOSTILE), name


def test_report_workbook(runner, client, auth, hostile, tmp_path):
    result = runner.invoke(args=["report", "build", "--month", MONTH, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (built,) = tmp_path.glob("*.xlsx")
    strings = assert_xlsx_text_cells(built.read_bytes())
    assert any(s.startswith('=HYPERLINK("http://evil") team') for s in strings)
    auth.login(hostile["psw"])
    version_id = db.session.scalar(select(ReportVersion.id))
    download = client.get(f"/reports/{version_id}/download/xlsx")
    assert download.status_code == 200 and download.data == built.read_bytes()


def test_performance_children_export(client, auth, hostile):
    auth.login(hostile["psw"])
    response = client.get("/performance/unallocated_cases/children.csv?month=2026-03")
    assert response.status_code == 200
    cells = assert_csv_neutralised(response.get_data(as_text=True))
    assert cells[:2] == ["child_id", "team"] and "0000001" in cells  # the import's open case
