"""One reference for a case (issue 15): the action pages, the notifications list and the action
exports name a case as the case page does, "Child 02891558", never by the internal case number."""

import csv
import io
import re
from datetime import datetime

import openpyxl

from qa_app.extensions import db
from qa_app.services.actions.raising import raise_action
from qa_app.services.sampling import extension_requests
from tests.support.cycles import published_cycle
from tests.support.factories import CaseFactory, ChildFactory, make_user
from tests.support.org import make_org, org_action
from tests.support.pages import page_text

NOW = datetime(2026, 11, 23, 10, 0)


def _world():
    org = make_org()
    case = CaseFactory(team=org.team, worker=org.worker, child=ChildFactory(la_child_id="02891558"))
    action = raise_action(
        case, description="Update the chronology", by=org.auditor, now=NOW, base_url="http://x"
    )
    db.session.commit()
    return org, case, action


def _no_internal_number(text: str, case) -> None:
    assert not re.search(rf"\bcase\s*{case.id}\b", text, re.IGNORECASE), text


def test_the_case_page_and_the_action_page_show_the_same_reference(client, auth, app_ctx):
    org, case, action = _world()
    auth.login(org.manager)
    case_page = page_text(client.get(f"/cases/{case.id}"))
    action_page = page_text(client.get(f"/actions/{action.id}"))
    assert "Child 02891558" in case_page
    assert "Child 02891558" in action_page and "Open the case of Child 02891558" in action_page
    _no_internal_number(action_page, case)
    action.evidence_link = "https://cms.council.test/record/7"
    db.session.commit()
    html = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}">Open the case of Child 02891558</a>' in html  # a real link
    assert 'href="https://cms.council.test/record/7">https://cms.council.test/record/7</a>' in html
    assert "&lt;a" not in html
    auth.login(org.worker)
    mine = page_text(client.get("/actions/"))
    assert "Child 02891558" in mine
    _no_internal_number(mine, case)


def test_an_audit_raised_action_names_the_child_on_the_dashboard(client, auth, app_ctx):
    org = make_org()
    action = org_action(org, description="From an audit")
    psw = make_user("psw")
    auth.login(psw)
    page = page_text(client.get("/actions/dashboard"))
    assert f"Audit of Child {action.case.child.la_child_id}" in page
    _no_internal_number(page, action.case)
    detail = page_text(client.get(f"/actions/{action.id}"))
    assert f"Open the audit of Child {action.case.child.la_child_id}" in detail


def test_the_notifications_list_names_the_child(client, auth, app_ctx):
    org, case, _action = _world()
    auth.login(org.worker)
    page = page_text(client.get("/notifications/"))
    assert "New action for Child 02891558" in page
    assert "An action (normal priority) has been raised for Child 02891558." in page
    _no_internal_number(page, case)


def test_the_action_exports_carry_the_child_id_not_the_case_number(client, auth, app_ctx):
    _org, _case, action = _world()
    auth.login(make_user("psw"))
    text = client.get("/actions/dashboard.csv").get_data(as_text=True)
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["child_id"] == "02891558" and int(row["action_id"]) == action.id
    assert "case_id" not in row
    xlsx = client.get("/actions/dashboard.xlsx")
    header, values = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(
        values_only=True
    )
    assert dict(zip(header, values, strict=True))["child_id"] == "02891558"  # leading 0 kept
    assert "case_id" not in header


def test_extension_requests_name_the_child(client, auth, app_ctx):
    assignment = published_cycle()[0].assignment
    extension_requests.request_extension(
        assignment, by=assignment.auditor, working_days=2, reason="Court", now=NOW, base_url="x"
    )
    db.session.commit()
    child = assignment.item.case.child.la_child_id
    auth.login(assignment.auditor.line_manager)
    page = page_text(client.get("/assignments/extensions"))
    assert f"Case Child {child}" in page  # the summary row: key "Case", value the reference
    _no_internal_number(page, assignment.item.case)
