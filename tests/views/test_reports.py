"""The report workflow through the web: build, read, download, edit key messages, publish."""

import io
import re
import shutil
import subprocess
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import ReportFile, ReportVersion, Team
from qa_app.models.reports import ReportImmutable
from qa_app.services.reports import versions as report_versions
from qa_app.services.reports.scope import parse_scope
from qa_app.services.reports.tables import report_data, report_tables
from tests.support.factories import TeamFactory, make_toolkit_version, make_user
from tests.support.report_world import Spec, load, make_world

MONTH = "2026-10"


@pytest.fixture
def world(app_ctx):
    world = make_world(make_toolkit_version())
    specs = [
        Spec(MONTH, i % 3, "cin" if i % 2 else "cp", "random", i != 7, i == 3, 1 + i % 4, None,
             (2, 3, None), ("yes", "no", "yes", "na"))
        for i in range(14)
    ]  # fmt: skip
    load(world, specs)
    return world


def _build(client, auth, user, scope=""):
    auth.login(user)
    response = client.post("/reports/build", data={"month": MONTH, "scope": scope})
    assert response.status_code == 302
    return db.session.scalar(select(ReportVersion).order_by(ReportVersion.id.desc()))


def test_psw_builds_edits_publishes_and_rebuilds(client, auth, world):
    psw = make_user("psw")
    version = _build(client, auth, psw)
    db.session.refresh(version)
    assert (version.status, version.version, version.scope) == ("draft", 1, "council")
    head = version.data["headline"]
    assert head["audits_expected"] == 14 and head["audits_completed"] == 13

    page = client.get(f"/reports/{version.id}").get_data(as_text=True)
    assert 'data-figure="audits_completed">13' in page and "<svg" in page
    assert "style=" not in page.split('id="main-content"')[1]

    # The PDF's text holds the headline numbers; the workbook reads back as the tables.
    pdf = client.get(f"/reports/{version.id}/download/pdf")
    assert pdf.mimetype == "application/pdf"
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True
        ).stdout.decode()
        text = " ".join(text.split())
        assert "Monthly case file audit report" in text and "DRAFT" in text
        assert "Audits expected 14" in text and "Audits completed 13" in text
        if head["good_or_better_pct"] is not None:
            assert f"{head['good_or_better_pct']:g}%" in text
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/reports/{version.id}/download/xlsx").data)
    )
    for table in report_tables(version.data):
        sheet = book[table.key[:31]]
        rows = [
            list(r)
            for r in sheet.iter_rows(min_row=3, max_row=2 + len(table.rows), values_only=True)
        ]
        assert rows == [list(r) for r in table.rows], table.key
        assert all(
            not isinstance(v, str)
            for r in rows
            for v, c in zip(r, table.columns, strict=True)
            if c.kind != "text" and v is not None
        )

    bad = client.post(f"/reports/{version.id}/messages", data={"key_messages": "  "})
    assert bad.status_code == 302
    db.session.refresh(version)
    assert version.key_messages.startswith("13 of 14 audits")  # unchanged
    client.post(f"/reports/{version.id}/messages", data={"key_messages": "Practice is improving."})
    client.post(f"/reports/{version.id}/publish")
    db.session.refresh(version)
    assert version.status == "published" and version.key_messages == "Practice is improving."
    published_pdf = version.file("pdf").content

    # Immutable: neither the service nor the ORM changes a published version.
    with pytest.raises(report_versions.ReportRefused):
        report_versions.edit_key_messages(version, "x", by=psw, now=datetime(2026, 11, 3))
    version.key_messages = "Tampered"
    with pytest.raises(ReportImmutable):
        db.session.flush()
    db.session.rollback()

    second = _build(client, auth, psw)
    db.session.refresh(second)
    assert second.version == 2 and second.status == "draft"
    assert second.key_messages == "Practice is improving."  # carried forward for editing
    old = client.get(f"/reports/{version.id}/download/pdf")
    assert old.status_code == 200 and old.data == published_pdf


def test_a_failed_build_shows_its_error(client, auth, world):
    psw = make_user("psw")
    version = report_versions.request_build(
        MONTH, parse_scope("team:North B"), by=psw, now=datetime(2026, 11, 2, 6)
    )
    db.session.commit()
    db.session.get(Team, world.teams[1].id).name = "North B renamed"
    db.session.commit()
    from workers.jobs import build_report_version  # noqa: PLC0415

    with pytest.raises(Exception, match="no team"):
        build_report_version(version.id)
    db.session.expire_all()
    assert db.session.get(ReportVersion, version.id).status == "failed"
    auth.login(psw)
    page = client.get(f"/reports/{version.id}").get_data(as_text=True)
    assert "The build failed" in page and "there is no team called" in page


def _draft(scope_text):
    """A draft version with its figures but no files (rendering PDFs is slow)."""
    scope = parse_scope(scope_text)
    version = report_versions.request_build(MONTH, scope, by=None, now=datetime(2026, 11, 2, 6))
    version.data = report_data(MONTH, scope, as_of=version.as_of)
    version.status = "draft"
    db.session.commit()
    return version


def _publish(version):
    db.session.refresh(version)  # the ORM's guard reads the status it is changing from
    version.status = "published"
    version.published_at = datetime(2026, 11, 10, 9)
    db.session.commit()


@pytest.mark.clock("2026-11-05T10:00")
def test_heads_of_service_hear_a_draft_is_being_prepared_then_read_it(client, auth, world):
    council = _draft("council")
    south = _draft("locality:South")
    hos = make_user("head_of_service", locality=world.teams[0].locality)
    auth.login(hos)
    # Drafts belong to the PSW and QA lead: the head of service is told when to expect it.
    assert client.get(f"/reports/{council.id}").status_code == 404
    listing = client.get("/reports/").get_data(as_text=True)
    assert "No report has been built yet" not in listing
    assert f"/reports/{council.id}" not in listing
    notice = " ".join(listing.split('data-testid="report-being-prepared">')[1].split())
    # October's draft is built on 2 November (first working day); ten working days on.
    assert notice.startswith(
        "The report for October 2026 is being prepared. It will be published by 16 November 2026."
    )
    assert "South" not in listing  # another locality's report is not theirs to hear of

    _publish(council)
    _publish(south)
    listing = client.get("/reports/").get_data(as_text=True)
    assert 'data-testid="report-being-prepared"' not in listing
    assert f"/reports/{council.id}" in listing and f"/reports/{south.id}" not in listing
    assert client.get(f"/reports/{council.id}").status_code == 200
    assert client.get(f"/reports/{south.id}").status_code == 404


def test_report_builders_see_drafts_and_other_readers_only_published_ones(client, auth, world):
    north = _draft("locality:North")
    auth.login(make_user("psw"))
    assert client.get(f"/reports/{north.id}").status_code == 200
    auth.login(make_user("dcs"))
    assert client.get(f"/reports/{north.id}").status_code == 404
    auth.login(make_user("team_manager", team=world.teams[0]))
    listing = client.get("/reports/").get_data(as_text=True)
    assert "No report has been published yet" in listing  # the council report is not theirs


def test_the_html_board_paper_has_one_charset(client, auth, world):
    version = _draft("council")
    db.session.add(
        ReportFile(version=version, kind="html", content=b"<p>x</p>", size=8, sha256="0" * 64)
    )
    db.session.commit()
    auth.login(make_user("psw"))
    response = client.get(f"/reports/{version.id}/download/html")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_the_scheduled_draft_is_built_once_per_month(app_ctx, world):
    from workers.jobs import monthly_report  # noqa: PLC0415

    assert monthly_report("2026-11") == "built"
    assert monthly_report("2026-11") == "already built"
    versions = db.session.scalars(select(ReportVersion)).all()
    assert [(v.month, v.scope, v.trigger, v.status) for v in versions] == [
        (MONTH, "council", "schedule", "draft")
    ]


def test_bad_build_input_is_refused_with_a_message(client, auth, world):
    auth.login(make_user("psw"))
    response = client.post(
        "/reports/build", data={"month": "2026-13", "scope": ""}, follow_redirects=True
    )
    assert "Enter the month as YYYY-MM" in response.get_data(as_text=True)
    response = client.post(
        "/reports/build", data={"month": MONTH, "scope": "locality:Nowhere"}, follow_redirects=True
    )
    assert "Scope: choose the whole council, a locality or a team" in response.get_data(
        as_text=True
    )
    assert db.session.scalars(select(ReportVersion)).all() == []


def test_the_scope_is_chosen_from_the_scopes_the_user_may_report_on(client, auth, world):
    TeamFactory(name="South Pending", locality=world.teams[2].locality, pending=True)
    auth.login(make_user("psw"))
    page = client.get("/reports/")
    html = page.get_data(as_text=True)
    select_html = html.split('<select class="govuk-select" id="scope" name="scope"')[1]
    options = re.findall(
        r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select_html.split("</select>")[0]
    )
    assert options == [
        ("council", "Whole council"),
        ("locality:North", "Locality: North"),
        ("locality:South", "Locality: South"),
        ("team:North A", "Team: North A"),
        ("team:North B", "Team: North B"),
        ("team:South A", "Team: South A"),
    ]
    response = client.post("/reports/build", data={"month": MONTH, "scope": "team:North B"})
    version = db.session.scalar(select(ReportVersion))
    assert response.status_code == 302 and version.scope == "team:North B"
