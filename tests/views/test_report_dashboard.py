"""Dashboards show the report's own figures, live, within the user's scope."""

import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from qa_app.clock import local_today
from qa_app.services.reports.files import board_paper_html, xlsx_bytes
from qa_app.services.reports.scope import COUNCIL, parse_scope
from qa_app.services.reports.tables import default_key_messages, report_data, report_tables
from tests.support.factories import make_toolkit_version, make_user
from tests.support.pages import page_text
from tests.support.report_world import Spec, load, make_world

MONTH = "2026-10"


@pytest.fixture
def world(app_ctx):
    world = make_world(make_toolkit_version())
    specs = [
        Spec(month, i % 3, ("cin", "cp")[i % 2], "thematic" if i % 5 == 0 else "random",
             i % 7 != 0, i % 4 == 0, 1 + (i * 3) % 4, None, (2, 3 - i % 2, None), ("yes",) * 4)
        for month in ("2026-09", MONTH) for i in range(21)
    ]  # fmt: skip
    load(world, specs)
    return world


def figures(html: str) -> dict:
    found = dict(re.findall(r'data-figure="(\w+)">([^<(]+)', html))
    return {k: v.strip() for k, v in found.items()}


def expected(data) -> dict:
    head = data["headline"]

    def pct(v):
        return "\u2013" if v is None else f"{v:g}%"

    return {
        "audits_expected": str(head["audits_expected"]),
        "audits_completed": str(head["audits_completed"]),
        "good_or_better_pct": pct(head["good_or_better_pct"]),
        "inadequate_pct": pct(head["inadequate_pct"]),
    }


def test_dashboard_figures_equal_the_reports_for_the_same_month_and_scope(client, auth, world):
    hos = make_user("head_of_service", locality=world.teams[0].locality)
    auth.login(hos)
    page = client.get(f"/reports/dashboard?to={MONTH}").get_data(as_text=True)
    north = report_data(MONTH, parse_scope("locality:North"), as_of=local_today())
    assert figures(page) == expected(north)
    assert "South A" not in page  # another locality's team

    auth.login(make_user("dcs"))
    page = client.get(f"/reports/dashboard?to={MONTH}").get_data(as_text=True)
    council = report_data(MONTH, COUNCIL, as_of=local_today())
    assert figures(page) == expected(council)
    assert "South A" in page and "North A" in page


def test_random_only_and_cohort_filters_narrow_every_figure(client, auth, world):
    auth.login(make_user("dcs"))
    page = client.get(f"/reports/dashboard?to={MONTH}&random=1&cohort=cp").get_data(as_text=True)
    from qa_app.services.reports import figures as report_figures  # noqa: PLC0415
    from qa_app.services.reports.figures import Filters  # noqa: PLC0415

    want = report_figures.grade_summary(
        MONTH, COUNCIL, target=10, filters=Filters(cohort="cp", random_only=True)
    )
    assert figures(page)["good_or_better_pct"] == (
        "\u2013" if want["good_or_better_pct"] is None else f"{want['good_or_better_pct']:g}%"
    )
    assert f"{want['n']} submitted audits" in page


def test_bad_filters_get_a_clear_message(client, auth, world):
    auth.login(make_user("dcs"))
    page = client.get("/reports/dashboard?from=2026-11&to=2026-01&cohort=martian").get_data(
        as_text=True
    )
    assert "Cohort &#39;martian&#39;: choose one of the listed cohorts" in page
    assert "2026-11 is after 2026-01" in page


def test_a_head_of_service_cannot_widen_the_scope(client, auth, world):
    auth.login(make_user("head_of_service", locality=world.teams[0].locality))
    page = client.get("/reports/dashboard?scope=team:South%20A").get_data(as_text=True)
    assert (
        "outside what you may see" in page and "South A" not in page.split("There is a problem")[0]
    )


def test_cached_trends_follow_every_submission_and_moderation(app_ctx, world):
    from qa_app.extensions import db  # noqa: PLC0415
    from qa_app.models import Audit, AuditEvent  # noqa: PLC0415
    from qa_app.services.reports import dashboard as report_dashboard  # noqa: PLC0415
    from qa_app.services.reports.figures import Filters  # noqa: PLC0415
    from qa_app.services.reports.trends import grade_trends  # noqa: PLC0415

    query = report_dashboard.DashboardQuery("2026-09", MONTH, Filters())

    def live():
        return [t.as_dict() for t in grade_trends(["2026-09", MONTH], COUNCIL)]

    first = report_dashboard.dashboard(COUNCIL, query, as_of=local_today())
    assert first["trends"] == live()
    audit = db.session.scalars(
        select(Audit).where(Audit.overall_grade == 4, Audit.status == "submitted")
    ).first()
    # As moderation does: the grade changes and the change is recorded in the audit's history.
    audit.moderated_grade = 2
    db.session.add(AuditEvent(audit_id=audit.id, kind="moderated", detail={}))
    db.session.commit()
    second = report_dashboard.dashboard(COUNCIL, query, as_of=local_today())
    assert second["trends"] == live() != first["trends"]


def test_many_teams_show_the_first_rows_then_a_link_to_all(client, auth, world, monkeypatch):
    from qa_app.views import reports as reports_view  # noqa: PLC0415

    monkeypatch.setattr(reports_view, "TEAM_ROWS", 2)
    auth.login(make_user("psw"))

    def team_rows(page: str, table: str) -> list[str]:
        body = page[page.index(f'data-table="{table}"') :]
        body = body[: body.index("</table>")]
        return re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', body)

    page = client.get(f"/reports/dashboard?to={MONTH}&cohort=cin").get_data(as_text=True)
    assert team_rows(page, "by_team") == ["North A", "North B"]
    assert team_rows(page, "completion_by_team")[:2] == ["North A", "North B"]
    assert len(team_rows(page, "completion_by_team")) == 2
    assert "Showing the first 2 of 3 teams, by name." in page
    link = re.search(r'href="([^"]*teams=all[^"]*)">Show all 3 teams', page).group(1)
    assert "cohort=cin" in link  # the other filters are kept
    everything = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert team_rows(everything, "by_team") == ["North A", "North B", "South A"]
    assert "Showing the first" not in everything


def test_outstanding_is_only_ever_a_grade(client, auth, world):
    """Audits not yet done are "not yet completed", on the page, in the board paper, in the
    workbook and in the draft key messages; "Outstanding" is left to the Ofsted grade."""
    data = report_data(MONTH, COUNCIL, as_of=local_today())
    head = data["headline"]
    assert head["outstanding"] > 0
    auth.login(make_user("psw"))
    page = page_text(client.get(f"/reports/dashboard?to={MONTH}"))
    assert f"Not yet completed {head['outstanding']} ({head['overdue']} overdue)" in page
    messages = default_key_messages(data)
    paper = page_text(
        board_paper_html(data, key_messages=messages, version_number=1, status="draft")
    )
    assert f"Not yet completed {head['outstanding']} ({head['overdue']} overdue" in paper
    assert f"{head['outstanding']} not yet completed" in messages
    for text in (page, paper, messages):
        assert not re.search(r"Outstanding \d+ \(\d+ overdue|\d+ outstanding\b", text)
        assert "Outstanding" in text or text is messages  # the grade keeps its name
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(data)))
    for table in report_tables(data):
        labels = [c.label for c in table.columns]
        if table.key.startswith("completion"):
            assert "Not yet completed" in labels and "Outstanding" not in labels
            header = [cell.value for cell in book[table.key[:31]][2]]
            assert "Not yet completed" in header and "Outstanding" not in header
