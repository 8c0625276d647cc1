"""The monthly report's practice performance section (docs/indicators.md#the-board-paper): the
board table computed from the indicators and the bands in force, stored in the version's data,
so a published version keeps the bands it was rated with after the board changes them."""

import io
from datetime import date, datetime

import openpyxl
import pytest

from qa_app.extensions import db
from qa_app.services.performance import figures, thresholds
from qa_app.services.performance.board import spc_of
from qa_app.services.performance.indicators import INDICATORS
from qa_app.services.reports import versions
from qa_app.services.reports.files import render_context, xlsx_bytes
from qa_app.services.reports.scope import COUNCIL, parse_scope
from qa_app.services.reports.tables import report_data, report_tables
from tests.support.extracts import World, annex_a
from tests.support.factories import make_user
from tests.support.importing import do_import, source

D1, D2 = date(2024, 3, 28), date(2024, 4, 30)
MONTH = "2024-04"
KEY = "assessments_within_45_working_days"
NOW = datetime(2024, 5, 10, 9, 0)


@pytest.fixture
def council(app_ctx):
    world = World(seed=20240229)
    do_import([source("annex_a_d1.xlsx", annex_a(world, D1))], D1)
    do_import([source("annex_a_d2.xlsx", annex_a(world, D2))], D2)
    return world


def _rows(data):
    return {r["key"]: r for r in data["performance"]["rows"]}


@pytest.mark.parametrize("scope_text", ["council", "team:Bravo Team"])
def test_the_section_holds_every_indicator_as_the_figures_give_it(council, scope_text):
    scope = COUNCIL if scope_text == "council" else parse_scope(scope_text)
    data = report_data(MONTH, scope, as_of=date(2024, 5, 10))
    rows = _rows(data)
    assert list(rows) == [i.key for i in INDICATORS]
    assert data["performance"]["recent"] == ["2024-02", "2024-03", MONTH]
    in_force = thresholds.all_thresholds(MONTH)
    for indicator in INDICATORS:
        row = rows[indicator.key]
        want = figures.series(indicator.key, MONTH, 12, scope)
        assert [(p["numerator"], p["denominator"]) for p in row["points"]] == [
            (f.numerator, f.denominator) for f in want
        ]
        assert [p["value"] for p in row["points"]] == [
            None if f.value is None else round(f.value, 4) for f in want
        ]
        th = in_force[indicator.key]
        assert row["band"] == th.rate(want[-1].value)
        assert row["thresholds"]["bands"] == (th.bands.as_dict() if th.bands else None)
        expected = spc_of(row["points"], indicator.direction, th.bands)
        assert row["xmr"] == expected.as_dict()
    assert rows[KEY]["thresholds"]["england"]["figure"] == 85.7
    # The generated council gives the latest month figures to rate.
    assert rows[KEY]["value"] is not None and rows[KEY]["band"] is not None


TIGHTER = {
    "shape": "higher",
    "steps": [
        {"band": "inadequate", "below": 85},
        {"band": "requires_improvement", "below": 95},
        {"band": "good", "below": 99},
        {"band": "outstanding"},
    ],
}


def _board_band(html: str, key: str) -> str:
    row = html.split(f'data-indicator="{key}"', 1)[1].split("</tr>", 1)[0]
    return row.split('data-band="', 1)[1].split('"', 1)[0]


def test_a_published_version_keeps_the_bands_it_was_built_with(council, app):
    psw = make_user("psw")
    version = versions.request_build(MONTH, COUNCIL, by=psw, now=NOW)
    versions.build(version, now=NOW)
    versions.publish(version, by=psw, now=NOW)
    db.session.commit()
    before = _rows(version.data)[KEY]
    assert before["value"] == 80 and before["band"] == "good"
    published_html = version.file("html").content
    assert _board_band(published_html.decode(), KEY) == "good"

    thresholds.change_bands(
        KEY, TIGHTER, effective_from="2024-01", reason="Board: aim higher", by=psw, now=NOW
    )
    db.session.commit()
    assert thresholds.rate(KEY, 80, MONTH) == "inadequate"

    db.session.expire_all()
    # Re-rendered from the stored data, the page and every file keep the old bands.
    context = render_context(version.data, version.key_messages)
    row = next(r for r in context["performance"]["rows"] if r["key"] == KEY)
    assert row["band"] == "good" and row["ranges"]["good"] == "80% to under 90%"
    table = next(t for t in report_tables(version.data) if t.key == "performance")
    keys = [c.key for c in table.columns]
    stored = dict(zip(keys, next(r for r in table.rows if r[1] == KEY), strict=True))
    assert stored["band"] == "Good" and stored["good"] == "80% to under 90%"
    assert version.file("html").content == published_html
    with app.test_request_context():
        page = app.jinja_env.get_template("reports/_body.html").render(**context, h=2)
    assert _board_band(page, KEY) == "good"

    # A new version is rated with the bands in force now.
    again = versions.request_build(MONTH, COUNCIL, by=psw, now=NOW)
    versions.build(again, now=NOW)
    assert _rows(again.data)[KEY]["band"] == "inadequate"
    assert _rows(again.data)[KEY]["thresholds"]["effective_from"] == "2024-01"


def test_the_workbook_has_the_board_table_and_every_months_figures(council):
    data = report_data(MONTH, COUNCIL, as_of=date(2024, 5, 10))
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(data)))
    sheet = book["performance"]
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["Indicator", "Key", "Unit", "Inadequate"]
    assert header[8:11] == ["Feb 24", "Mar 24", "Apr 24"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1]}
    assert rows[KEY][10] == 80 and rows[KEY][13] == "Good" and rows[KEY][14] == 85.7
    assert isinstance(rows["average_caseload"][10], float | int)
    series = book["performance_series"]
    lines = [r for r in series.iter_rows(min_row=3, values_only=True) if r[1] == KEY]
    assert [r[2] for r in lines][-1] == MONTH and len(lines) == 12
    assert lines[-1][3:6] == (4, 5, 80)
