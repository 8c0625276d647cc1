"""Every route that shows child-level data writes the access log; none writes content.

Child-level data: a child id, a case number, or anything from a child's record (case details,
audit answers and grades, actions, moderation, safeguarding concerns). Every endpoint of the app
is classified below, so a new route fails test_every_endpoint_is_classified until someone decides.
The data is the permission matrix's world (tests/views/test_permission_matrix.py).
"""

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import AccessLog, Action, Case, ChaseNotice, ImportRejectedRow
from tests.support.factories import CaseFactory, make_assignment, make_audit
from tests.views.test_permission_matrix import MATRIX, world  # noqa: F401 - the fixture

PUBLIC = "public page, no case data"
STAFF = "staff, teams or settings only"
COUNTS = "counts and aggregate figures only (small numbers suppressed in reports)"
CHANGE = "a change (POST): answers with a redirect or the form again; the page itself is logged"

# Reviewed: these show no child id, case number or record content.
NOT_CHILD_DATA = {
    **dict.fromkeys(["main.healthz", "main.accessibility", "main.privacy", "auth.sign_in"], PUBLIC),
    **dict.fromkeys(
        [
            "auth.change_password",
            "users.index",
            "users.new",
            "users.edit",
            "users.import_staff",
            "organisation.team",
            "toolkits.index",
            "toolkits.version",
            "toolkits.download",
            "toolkits.upload",
            "imports.new",
            "imports.pending_records",
            "absences.index",
            "reports.tokens",
            "thresholds.index",
            "thresholds.detail",
            "thresholds.bands",
            "thresholds.add_comparator",
            "thresholds.edit_comparator",
        ],
        STAFF,
    ),
    **dict.fromkeys(
        [
            "organisation.index",
            "tasks.index",
            "tasks.detail",
            "tasks.status",
            "imports.index",
            "imports.upload",
            "imports.detail",
            "cycles.index",
            "agreement.index",
            "reports.index",
            "performance.index",
            "reports.show",
            "reports.download",
            "api.tables",
        ],
        COUNTS,
    ),
    "notifications.index": "the user's own messages (a case number at most); opening the "
    "record they link to is logged",
    "moderation.manage": "audit numbers, moderators and due dates: no child id or grade",
    "moderation.disputes": "audit numbers, dates and status: no child id or grade",
    **{endpoint: CHANGE for endpoint, (method, _, _) in MATRIX.items() if method == "POST"},
}

# endpoint -> (role that sees the world's data there, URL if not the matrix's)
CHILD_DATA = {
    "main.home": ("social_worker", None),
    "cases.index": ("qa_admin", None),
    "cases.detail": ("qa_admin", None),
    "access_log.index": ("dcs", None),
    "imports.rejected_csv": ("qa_admin", None),
    "cycles.detail": ("qa_admin", None),
    "cycles.item": ("qa_admin", None),
    "cycles.export": ("qa_admin", None),
    "assignments.index": ("advanced_practitioner", None),
    "assignments.extension": ("advanced_practitioner", None),
    "assignments.extensions_index": ("senior_manager", None),
    "audits.tasks": ("advanced_practitioner", "/audits/{draft}/tasks"),
    "audits.page": ("advanced_practitioner", "/audits/{draft}/pages/assessment"),
    "audits.check": ("advanced_practitioner", "/audits/{draft}/check"),
    "audits.safeguarding_concern": ("advanced_practitioner", "/audits/{draft}/safeguarding"),
    "audits.view": ("qa_admin", None),
    "audits.pdf": ("qa_admin", None),
    "audits.concern": ("qa_admin", None),
    "audits.reflect": ("social_worker", None),
    "audits.reopen": ("qa_admin", None),
    "actions.mine": ("social_worker", None),
    "actions.chased": ("social_worker", None),
    "actions.team": ("team_manager", None),
    "actions.detail": ("qa_admin", None),
    "actions.dashboard": ("psw", None),
    "actions.dashboard_csv": ("psw", None),
    "actions.dashboard_xlsx": ("psw", None),
    "moderation.queue": ("independent_auditor", None),
    "moderation.moderate": ("independent_auditor", None),
    "moderation.result": ("qa_admin", None),
    "moderation.decide": ("head_of_service", None),
    "tier3.index": ("head_of_service", None),
    "tier3.review": ("head_of_service", None),
    # The month is given: the default (last month) would move with the clock.
    "reports.dashboard": ("psw", "/reports/dashboard?from=2026-11&to=2026-11"),
    # The audits and actions tables are one row per audit or action; the others are figures.
    "api.table": ("psw", "/api/v1/reports/2026-11/audits"),
    # The world's import (31 March 2026) holds its open case: the children behind the caseload.
    "performance.indicator": ("team_manager", "/performance/average_caseload?month=2026-03"),
    "performance.children_csv": (
        "head_of_service",
        "/performance/average_caseload/children.csv?month=2026-03",
    ),
}


def test_every_endpoint_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert not set(CHILD_DATA) & set(NOT_CHILD_DATA)
    assert endpoints == set(CHILD_DATA) | set(NOT_CHILD_DATA)


@pytest.fixture
def logged_world(world):  # noqa: F811 - the imported fixture
    """The matrix world, plus what some pages need before they show anything: a draft audit,
    an earlier access-log entry and an import's rejected row."""
    from qa_app.services.people.access_log import log_case_access  # noqa: PLC0415

    users, ids = world
    ap = users["advanced_practitioner"]
    case = db.session.get(Case, ids["case"])
    draft = make_audit(assignment=make_assignment(case=case, auditor=ap, month="2026-12"))
    log_case_access(users["qa_admin"], case, action="view_case", now=draft.created_at)
    db.session.add(
        ImportRejectedRow(
            import_id=ids["import_id"], file="a.csv", row=2, value="0000009", reason="bad date"
        )
    )
    # The chase reminded the worker of their action: the chased-actions list shows it.
    action = db.session.scalar(select(Action).where(Action.case_id == case.id))
    db.session.add(
        ChaseNotice(
            user_id=action.owner_id,
            action_id=action.id,
            due_on=action.due_on,
            rung="due_soon",
            day=action.due_on,
        )
    )
    db.session.commit()
    return users, ids | {"draft": draft.id}, case


def new_entries(before: int) -> list[AccessLog]:
    db.session.expire_all()
    return db.session.scalars(select(AccessLog).where(AccessLog.id > before)).all()


@pytest.mark.parametrize("endpoint", sorted(CHILD_DATA))
def test_child_data_routes_write_the_access_log(client, auth, logged_world, endpoint):
    users, ids, case = logged_world
    role, url = CHILD_DATA[endpoint]
    auth.login(users[role])
    before = db.session.scalar(select(func.max(AccessLog.id)))
    response = client.get((url or MATRIX[endpoint][1]).format(**ids))
    assert response.status_code == 200, (endpoint, response.status_code)
    entries = new_entries(before)
    assert entries, f"{endpoint} showed child-level data and wrote no access-log entry"
    for entry in entries:
        assert entry.user_id == users[role].id and entry.endpoint == endpoint
        # One record named, or a count of records: never both, never content.
        assert (entry.case_id is None) != (entry.record_count is None)
        assert entry.purpose is None or case.child.la_child_id not in entry.purpose


def test_the_api_actions_table_is_logged_too(client, auth, logged_world):
    users, ids, _case = logged_world
    raised = db.session.get(Action, ids["action"]).raised_at  # the table is by month raised
    auth.login(users["psw"])
    before = db.session.scalar(select(func.max(AccessLog.id)))
    assert client.get(f"/api/v1/reports/{raised:%Y-%m}/actions").status_code == 200
    assert [e.action for e in new_entries(before)] == ["api_actions"]


def test_a_list_is_one_entry_with_a_count_and_a_list_of_one_names_the_child(
    client, auth, logged_world
):
    users, _ids, case = logged_world
    for _ in range(3):
        CaseFactory(team=case.team)
    auth.login(users["qa_admin"])
    before = db.session.scalar(select(func.max(AccessLog.id)))
    client.get("/cases/")
    (listed,) = new_entries(before)
    cases = db.session.scalar(select(func.count(Case.id)))  # all open, all in qa_admin's scope
    assert cases > 4 and (listed.case_id, listed.child_id, listed.record_count) == (
        None,
        None,
        cases,
    )
    assert listed.purpose == "case list, page 1"
    before = listed.id
    client.get("/cases/", query_string={"child_id": case.child.la_child_id})
    (searched,) = new_entries(before)
    assert (searched.case_id, searched.child_id) == (case.id, case.child_id)
    assert searched.purpose == "case list, page 1, searched by child id"
    # Nothing found, nothing shown: nothing written.
    client.get("/cases/", query_string={"child_id": "nobody"})
    assert new_entries(searched.id) == []
    # The access log page shows the list as one entry with its count.
    auth.login(users["dcs"])
    text = client.get("/access-log/").get_data(as_text=True)
    assert f"{cases} records" in text and "List cases: case list, page 1" in text
