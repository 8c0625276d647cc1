"""The report's trends as XmR charts: in the page, the board paper and its PDF, old versions too."""

import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import ReportVersion
from qa_app.services.platform.months import ending_with
from tests.support.factories import make_toolkit_version, make_user
from tests.support.report_world import Spec, load, make_world

MONTH = "2026-10"
MONTHS = ending_with(MONTH, 12)


@pytest.fixture
def world(app_ctx):
    """Eight audits a month, 4 or 5 of them good (50% or 62.5%), then all 8 in the last month:
    100%, above the upper process limit (about 81%; the jump's moving range is screened out)."""
    world = make_world(make_toolkit_version())
    specs = []
    for month, good in zip(MONTHS, [4, 5, 4, 4, 5, 4, 4, 5, 4, 4, 5, 8], strict=True):
        specs += [
            Spec(month, i % 3, "cin", "random", True, False, 2 if i < good else 3 + i % 2, None,
                 (2, 3, None), ("yes" if i % 2 else "no", "yes", "no", "yes"))
            for i in range(8)
        ]  # fmt: skip
    load(world, specs)
    return world


def _built(client, auth) -> ReportVersion:
    auth.login(make_user("psw"))
    assert client.post("/reports/build", data={"month": MONTH, "scope": ""}).status_code == 302
    version = db.session.scalar(select(ReportVersion).order_by(ReportVersion.id.desc()))
    db.session.refresh(version)
    return version


def _charts(html: str) -> dict[str, str]:
    """Each XmR block's chart markup, ids normalised (they count up per render)."""
    blocks = re.findall(r'data-spc="([a-z_]+)".*?(<svg .*?</svg>)', html, flags=re.S)
    return {key: re.sub(r"xmr-\d+", "xmr-N", svg) for key, svg in blocks}


def test_each_trend_is_an_xmr_chart_with_its_marks_and_table(client, auth, world):
    version = _built(client, auth)
    page = client.get(f"/reports/{version.id}").get_data(as_text=True)
    keys = ["good_or_better", "inadequate", "chronology_up_to_date", "supervision_last_month",
            "visits_in_timescale", "seen_alone_last_visit"]  # fmt: skip
    assert re.findall(r'data-spc="([a-z_]+)"', page) == keys
    assert 'data-spc-variation="improvement_high"' in page
    assert "Special cause improvement: unusually high values (latest month)." in page
    # Inadequate carries the report's target, so it has an assurance mark; the others do not.
    assurance = dict(re.findall(r'data-spc="([a-z_]+)".*?data-spc-assurance="([a-z_]*)"', page,
                                flags=re.S))  # fmt: skip
    assert assurance["good_or_better"] == "" and assurance["inadequate"] != ""
    assert "(target at most 10%)" in page
    # The table beside each chart: mean, limits and each month's signal.
    table = page.split('data-table="trend_good_or_better"')[1].split("</table>")[0]
    assert "Lower limit" in table and "Upper limit" in table
    assert table.count("Common cause") == 11 and "Improvement: above the upper limit" in table
    # No run-chart language is left.
    assert "median" not in page.lower() and "run-chart" not in page

    # The board paper draws the very same charts, and its PDF carries their words.
    paper = version.file("html").content.decode()
    assert _charts(paper) == _charts(page) and len(_charts(page)) == 6
    if shutil.which("pdftotext"):
        pdf = client.get(f"/reports/{version.id}/download/pdf").data
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        text = " ".join(text.split())
        assert "Special cause improvement: unusually high values" in text
        assert "Each point: the % of the month's submitted audits graded good or better" in text
        assert "Special cause: concern" in text  # the chart legend


def test_a_version_built_before_spc_still_shows_its_trends_as_xmr_charts(client, auth, world):
    version = _built(client, auth)
    fresh = client.get(f"/reports/{version.id}").get_data(as_text=True)
    old = dict(version.data)
    old["trends"] = [
        {k: v for k, v in t.items() if k not in ("xmr", "direction", "target")}
        | {"median": 50.0, "signals": []}
        for t in old["trends"]
    ]
    del old["compliance_trends"]
    version.data = old
    db.session.commit()
    page = client.get(f"/reports/{version.id}").get_data(as_text=True)
    assert re.findall(r'data-spc="([a-z_]+)"', page) == ["good_or_better", "inadequate"]
    charts = _charts(page)
    assert charts == {k: v for k, v in _charts(fresh).items() if k in charts}


def test_grade_trend_dashboard_draws_the_xmr_chart_and_marks_each_team(client, auth, world):
    auth.login(make_user("psw"))
    page = client.get(f"/reports/dashboard?from={MONTHS[0]}&to={MONTH}").get_data(as_text=True)
    assert "XmR chart." in page and 'data-spc-variation="improvement_high"' in page
    teams = page.split('data-table="by_team"')[1].split("</table>")[0]
    assert "SPC, latest month" in teams
    assert len(re.findall(r'data-spc-variation="[a-z_]*"', teams)) == 3  # one per team
    # Two or three audits a team a month: every month suppressed, so no team has a chart.
    assert teams.count("Too few months to chart") == 3
