"""Every route x every role: the permission layer answers exactly as this table says.

The table is written out here, independently of qa_app.permissions, and must list every route
the app has: adding a route without deciding who may use it fails test_every_route_is_in_the_matrix.
"""

from datetime import date

import pytest

from qa_app.models import Absence, Notification, ThresholdComparator
from qa_app.models.vocab import ROLES
from tests.support.factories import (
    CaseFactory,
    LocalityFactory,
    TeamFactory,
    make_action,
    make_toolkit_version,
    make_user,
)

ALL = frozenset(ROLES)
ADMIN = frozenset({"qa_admin"})
PUBLIC = "public"
AUDITORS = frozenset(
    {"team_manager", "advanced_practitioner", "senior_manager", "iro", "head_of_service", "dcs"}
)
REPORT_READERS = frozenset({"dcs", "psw", "qa_admin", "head_of_service", "team_manager"})
DECIDERS = frozenset({"team_manager", "senior_manager", "head_of_service", "dcs", "psw"})
ACTION_OVERSIGHT = frozenset({"psw", "dcs", "qa_admin", "head_of_service"})
MODERATORS = frozenset({"independent_auditor", "senior_manager", "head_of_service", "psw"})
DISPUTE_DECIDERS = frozenset({"head_of_service", "dcs"})
TIER3 = frozenset({"head_of_service", "dcs"})
THRESHOLD_EDITORS = frozenset({"psw", "qa_admin"})
PERFORMANCE_READERS = frozenset(
    {"dcs", "psw", "qa_admin", "head_of_service", "senior_manager", "team_manager"}
)

# endpoint -> (method, url template, who may use it). For scoped pages "who may use it" is the
# roles that reach the page; SCOPED says which of them see the sample record.
MATRIX = {
    "main.home": ("GET", "/", ALL),
    "main.healthz": ("GET", "/healthz", PUBLIC),
    "main.accessibility": ("GET", "/accessibility", PUBLIC),
    "main.privacy": ("GET", "/privacy", PUBLIC),
    "auth.sign_in": ("GET", "/auth/sign-in", PUBLIC),
    "auth.sign_out": ("POST", "/auth/sign-out", ALL),
    "auth.change_password": ("GET", "/auth/password", ALL),
    "cases.index": ("GET", "/cases/", ALL),
    "cases.detail": ("GET", "/cases/{case}", ALL),
    "users.index": ("GET", "/users/", ADMIN),
    "users.new": ("GET", "/users/new", ADMIN),
    "users.edit": ("GET", "/users/{user}", ADMIN),
    "users.unlock": ("POST", "/users/{user}/unlock", ADMIN),
    "users.temporary_password": ("POST", "/users/{user}/password", ADMIN),
    "users.import_staff": ("GET", "/users/import", ADMIN),
    "organisation.index": ("GET", "/organisation/", ADMIN),
    "organisation.team": ("GET", "/organisation/teams/{team}", ADMIN),
    "tasks.index": ("GET", "/tasks/", ADMIN),
    "tasks.detail": ("GET", "/tasks/{task}", ADMIN),
    "tasks.status": ("GET", "/tasks/{task}/status", ADMIN),
    "access_log.index": ("GET", "/access-log/", frozenset({"qa_admin", "dcs"})),
    "toolkits.index": ("GET", "/toolkits/", ALL),
    "toolkits.version": ("GET", "/toolkits/{toolkit}/versions/1", ALL),
    "toolkits.download": ("GET", "/toolkits/{toolkit}/versions/1/download", ALL),
    "toolkits.upload": ("GET", "/toolkits/upload", ADMIN),
    "toolkits.confirm": ("POST", "/toolkits/upload/confirm", ADMIN),
    "imports.index": ("GET", "/imports/", ADMIN),
    "imports.new": ("GET", "/imports/new", ADMIN),
    "imports.upload": ("GET", "/imports/uploads/{upload}", ADMIN),
    "imports.confirm": ("POST", "/imports/uploads/{upload}/confirm", ADMIN),
    "imports.discard": ("POST", "/imports/uploads/{upload}/discard", ADMIN),
    "imports.detail": ("GET", "/imports/{import_id}", ADMIN),
    "imports.rejected_csv": ("GET", "/imports/{import_id}/rejected.csv", ADMIN),
    "imports.undo": ("POST", "/imports/{import_id}/undo", ADMIN),
    "imports.pending_records": ("GET", "/imports/pending", ADMIN),
    "imports.confirm_team": ("POST", "/imports/pending/teams/{pending_team}/confirm", ADMIN),
    "imports.merge_team": ("POST", "/imports/pending/teams/{pending_team}/merge", ADMIN),
    "imports.confirm_person": ("POST", "/imports/pending/staff/{pending_user}/confirm", ADMIN),
    "imports.merge_person": ("POST", "/imports/pending/staff/{pending_user}/merge", ADMIN),
    "cycles.index": ("GET", "/cycles/", ADMIN),
    "cycles.draw": ("POST", "/cycles/draw", ADMIN),
    "cycles.detail": ("GET", "/cycles/{month}", ADMIN),
    "cycles.redraw": ("POST", "/cycles/{month}/redraw", ADMIN),
    "cycles.allocate": ("POST", "/cycles/{month}/allocate", ADMIN),
    "cycles.publish": ("POST", "/cycles/{month}/publish", ADMIN),
    "cycles.replace_closed": ("POST", "/cycles/{month}/replace-closed", ADMIN),
    "cycles.close": ("POST", "/cycles/{month}/close", ADMIN),
    "cycles.add_case": ("POST", "/cycles/{month}/cases", ADMIN),
    "cycles.item": ("GET", "/cycles/{month}/items/{item}", ADMIN),
    "cycles.reassign": ("POST", "/cycles/{month}/items/{item}/reassign", ADMIN),
    "cycles.swap": ("POST", "/cycles/{month}/items/{item}/swap", ADMIN),
    "cycles.export": ("GET", "/cycles/{month}/export.csv", ADMIN),
    "assignments.index": ("GET", "/assignments/", AUDITORS),
    "assignments.extension": ("GET", "/assignments/{assignment}/extension", AUDITORS),
    "assignments.extensions_index": ("GET", "/assignments/extensions", DECIDERS),
    "assignments.decide": ("POST", "/assignments/extensions/{extension}", DECIDERS),
    "notifications.index": ("GET", "/notifications/", ALL),
    "notifications.read": ("POST", "/notifications/{notification}/read", ALL),
    "notifications.read_all": ("POST", "/notifications/read-all", ALL),
    "notifications.mode": ("POST", "/notifications/mode", ALL),
    "absences.index": ("GET", "/absences/", frozenset({"qa_admin", "dcs"})),
    "absences.add": ("POST", "/absences/new", ADMIN),
    "absences.approve": ("POST", "/absences/{absence}/approve", frozenset({"dcs"})),
    "absences.remove": ("POST", "/absences/{absence}/remove", ADMIN),
    "audits.start": ("POST", "/audits/start/{assignment}", AUDITORS),
    "audits.tasks": ("GET", "/audits/{audit}/tasks", AUDITORS),
    "audits.page": ("GET", "/audits/{audit}/pages/assessment", AUDITORS),
    "audits.check": ("GET", "/audits/{audit}/check", AUDITORS),
    "audits.submit": ("POST", "/audits/{audit}/submit", AUDITORS),
    "audits.autosave": ("POST", "/audits/{audit}/autosave", AUDITORS),
    "audits.safeguarding_concern": ("GET", "/audits/{audit}/safeguarding", AUDITORS),
    "audits.view": ("GET", "/audits/{audit}", ALL),
    "audits.pdf": ("GET", "/audits/{audit}/audit.pdf", ALL),
    "audits.concern": ("GET", "/audits/{audit}/concerns/{concern}", ALL),
    "audits.reflect": (
        "GET",
        "/audits/{audit}/reflection",
        frozenset({"social_worker", "team_manager"}),
    ),
    "audits.reopen": ("GET", "/audits/{audit}/reopen", ADMIN),
    "actions.mine": ("GET", "/actions/", ALL),
    "actions.chased": ("GET", "/actions/chased", ALL),
    "actions.team": ("GET", "/actions/team", frozenset({"team_manager"})),
    "actions.detail": ("GET", "/actions/{action}", ALL),
    "actions.change": ("POST", "/actions/{action}/start", ALL),
    "actions.dashboard": ("GET", "/actions/dashboard", ACTION_OVERSIGHT),
    "actions.dashboard_csv": ("GET", "/actions/dashboard.csv", ACTION_OVERSIGHT),
    "actions.dashboard_xlsx": ("GET", "/actions/dashboard.xlsx", ACTION_OVERSIGHT),
    "moderation.queue": ("GET", "/moderation/", MODERATORS),
    "moderation.moderate": ("GET", "/moderation/{moderation}", MODERATORS),
    "moderation.blind": ("POST", "/moderation/{moderation}/blind", MODERATORS),
    "moderation.final": ("POST", "/moderation/{moderation}/final", MODERATORS),
    "moderation.result": ("GET", "/moderation/{moderated}/result", ALL),
    "moderation.dispute": ("POST", "/moderation/{moderated}/dispute", AUDITORS),
    "moderation.disputes": ("GET", "/moderation/disputes", DISPUTE_DECIDERS),
    "moderation.decide": ("GET", "/moderation/disputes/{dispute}", DISPUTE_DECIDERS),
    "moderation.manage": ("GET", "/moderation/all", ADMIN),
    "moderation.reassign": ("POST", "/moderation/{moderation}/reassign", ADMIN),
    "tier3.index": ("GET", "/tier3/", TIER3),
    "agreement.index": ("GET", "/agreement/", frozenset({"psw", "qa_admin"})),
    "tier3.review": ("GET", "/tier3/{tier3}", TIER3),
    "reports.index": ("GET", "/reports/", REPORT_READERS),
    "reports.dashboard": (
        "GET",
        "/reports/dashboard",
        frozenset({"dcs", "psw", "qa_admin", "head_of_service"}),
    ),
    "reports.build": ("POST", "/reports/build", frozenset({"psw", "qa_admin"})),
    "reports.show": ("GET", "/reports/{report}", REPORT_READERS),
    "reports.download": ("GET", "/reports/{report}/download/html", REPORT_READERS),
    "reports.messages": ("POST", "/reports/{report}/messages", frozenset({"psw"})),
    "reports.publish": ("POST", "/reports/{report}/publish", frozenset({"psw"})),
    "reports.tokens": ("GET", "/reports/tokens", REPORT_READERS),
    "reports.revoke_token": ("POST", "/reports/tokens/{token}/revoke", REPORT_READERS),
    "reports.renew_token": ("POST", "/reports/tokens/{token}/renew", REPORT_READERS),
    "api.tables": ("GET", "/api/v1/reports/2026-10", REPORT_READERS),
    "api.table": ("GET", "/api/v1/reports/2026-10/compliance", REPORT_READERS),
    "thresholds.index": ("GET", "/thresholds/", PERFORMANCE_READERS),
    "performance.index": ("GET", "/performance/", PERFORMANCE_READERS),
    "performance.indicator": ("GET", "/performance/cp_seen_alone", PERFORMANCE_READERS),
    "performance.children_csv": (
        "GET",
        "/performance/cp_seen_alone/children.csv",
        PERFORMANCE_READERS,
    ),
    "thresholds.detail": ("GET", "/thresholds/cp_seen_alone", PERFORMANCE_READERS),
    "thresholds.bands": ("GET", "/thresholds/cp_seen_alone/bands", THRESHOLD_EDITORS),
    "thresholds.add_comparator": (
        "GET",
        "/thresholds/cp_seen_alone/comparators/new",
        THRESHOLD_EDITORS,
    ),
    "thresholds.edit_comparator": (
        "GET",
        "/thresholds/cp_seen_alone/comparators/{comparator}",
        THRESHOLD_EDITORS,
    ),
    "thresholds.remove_comparator": (
        "POST",
        "/thresholds/cp_seen_alone/comparators/{comparator}/remove",
        THRESHOLD_EDITORS,
    ),
}

AUDIT_READERS = frozenset(
    {
        "advanced_practitioner",
        "qa_admin",
        "dcs",
        "psw",
        "head_of_service",
        "team_manager",
        "social_worker",
    }
)

# Who can open the sample case: council-wide roles, the head of service of its locality, its
# team manager, its social worker and its IRO. The others get 404, as for no such case.
SCOPED = {
    # ... and the advanced practitioner, who was allocated it for audit.
    "cases.detail": frozenset(
        {
            "qa_admin",
            "dcs",
            "psw",
            "head_of_service",
            "team_manager",
            "social_worker",
            "iro",
            "advanced_practitioner",
        }
    ),
    # The sample assignment belongs to the advanced practitioner; the extension request is
    # theirs, decided by their line manager (the senior manager).
    "assignments.extension": frozenset({"advanced_practitioner"}),
    "assignments.decide": frozenset({"senior_manager"}),
    # The sample audit is the advanced practitioner's, submitted: the form pages send its
    # auditor to the read-only view; everyone else gets 404.
    "audits.start": frozenset({"advanced_practitioner"}),
    "audits.tasks": frozenset({"advanced_practitioner"}),
    "audits.page": frozenset({"advanced_practitioner"}),
    "audits.check": frozenset({"advanced_practitioner"}),
    "audits.submit": frozenset({"advanced_practitioner"}),
    "audits.autosave": frozenset({"advanced_practitioner"}),
    "audits.safeguarding_concern": frozenset({"advanced_practitioner"}),
    # Read: the auditor, the case's worker and team manager, the head of service of its
    # locality, and the council-wide roles; the concern likewise but not the worker.
    "audits.view": AUDIT_READERS,
    "audits.pdf": AUDIT_READERS,
    "audits.concern": AUDIT_READERS - {"social_worker"},
    "audits.reflect": frozenset({"social_worker", "team_manager"}),
    # The open moderation is the independent auditor's; the moderated audit is the advanced
    # practitioner's, moderated by the independent auditor and disputed to North's head of
    # service. The tier 3 review is North's head of service's; the DCS sees every one.
    "moderation.moderate": frozenset({"independent_auditor"}),
    "moderation.blind": frozenset({"independent_auditor"}),
    "moderation.final": frozenset({"independent_auditor"}),
    "moderation.result": frozenset(
        {
            "independent_auditor",
            "advanced_practitioner",
            "head_of_service",
            "qa_admin",
            "dcs",
            "psw",
        }
    ),
    "moderation.dispute": frozenset({"advanced_practitioner"}),
    "moderation.decide": frozenset({"head_of_service"}),
    "tier3.review": frozenset({"head_of_service", "dcs"}),
}
# Scoped POSTs answer with a redirect when allowed (400 when the empty form is refused).
SCOPED_OK = {
    "assignments.decide": 302,
    "audits.start": 302,
    "audits.tasks": 302,
    "audits.page": 302,
    "audits.check": 302,
    "audits.submit": 302,
    "audits.autosave": 400,  # no JSON body
    "moderation.blind": 400,
    "moderation.final": 400,
    "moderation.dispute": 302,
}
# The sample action is on the sample case (owned by its social worker, raised by the advanced
# practitioner's audit): whoever may open the case may open the action; the others get 404.
SCOPED["actions.detail"] = SCOPED["cases.detail"]
SCOPED["actions.change"] = SCOPED["cases.detail"]
SCOPED_OK["actions.change"] = 400  # the empty action form: version missing
# The sample report is the council's and not published (a failed build): unpublished versions
# are for the people who build and publish reports; other readers see published ones only
# (services/reports/reading.py).
SCOPED["reports.show"] = frozenset({"qa_admin", "psw"})
SCOPED["reports.download"] = frozenset({"qa_admin", "psw"})
# The JSON API answers anonymous callers 401 (send a token), not a redirect to sign in.
TOKEN_AUTH = {"api.tables", "api.table"}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == set(MATRIX)


def test_every_view_declares_its_permission(app):
    for endpoint, view in app.view_functions.items():
        if endpoint != "static":
            assert hasattr(view, "permission"), f"{endpoint} has no @requires or @public"


@pytest.fixture
def world(app_ctx):
    from qa_app.extensions import db  # noqa: PLC0415
    from qa_app.models import BackgroundTask, Import, ImportUpload  # noqa: PLC0415

    north = LocalityFactory(name="North")
    team = TeamFactory(locality=north)
    TeamFactory(locality=LocalityFactory(name="East"))
    users = {
        "qa_admin": make_user("qa_admin"),
        "dcs": make_user("dcs"),
        "psw": make_user("psw"),
        "head_of_service": make_user("head_of_service", locality=north),
        "team_manager": make_user("team_manager", team=team),
        "advanced_practitioner": make_user("advanced_practitioner"),
        "senior_manager": make_user("senior_manager", locality=north),
        "iro": make_user("iro"),
        "independent_auditor": make_user("independent_auditor"),
        "social_worker": make_user("social_worker", team=team),
    }
    case = CaseFactory(team=team, worker=users["social_worker"], iro=users["iro"])
    task = BackgroundTask(kind="demo_seed", params={})
    record = Import(format="csv", as_of=date(2026, 3, 31), files=[], summary={})
    upload = ImportUpload(as_of=date(2026, 3, 31), files=[], status="previewed", preview={})
    pending_team = TeamFactory(name="Pending Team", pending=True)
    pending_user = make_user("social_worker", name="Pending Person", email=None, pending=True)
    db.session.add_all([task, record, upload])
    db.session.commit()
    toolkit = make_toolkit_version().toolkit.key
    ap = users["advanced_practitioner"]
    ap.line_manager = users["senior_manager"]
    cycle, assignment, extension = sample_world(case, ap)
    audit, concern = audit_world(assignment, users["advanced_practitioner"])
    action = make_action(case=case, owner=users["social_worker"])
    report = report_with_html()
    token = api_token(users["psw"])
    note = Notification(user_id=ap.id, kind="test", subject="Hello", dedupe_key="matrix", body="")
    exemption = Absence(
        user_id=ap.id,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
        kind="exemption",
        reason="Leading the practice week",
    )
    comparator = ThresholdComparator(
        indicator_key="cp_seen_alone", label="Statistical neighbours", figure=81.0, year=2024,
        source="DfE LAIT",
    )  # fmt: skip
    db.session.add_all([note, exemption, comparator])
    db.session.commit()
    ids = {
        "case": case.id,
        "user": users["social_worker"].id,
        "team": team.id,
        "task": task.id,
        "toolkit": toolkit,
        "import_id": record.id,
        "upload": upload.id,
        "pending_team": pending_team.id,
        "pending_user": pending_user.id,
        "month": cycle.month,
        "item": assignment.sample_item_id,
        "assignment": assignment.id,
        "extension": extension.id,
        "notification": note.id,
        "absence": exemption.id,
        "audit": audit.id,
        "concern": concern.id,
        "action": action.id,
        "report": report.id,
        "token": token.id,
        "comparator": comparator.id,
    }
    ids |= moderation_world(users, case, assignment)
    return users, ids


def report_with_html():
    """A council report version with a stored HTML file (no figures: nothing to compute)."""
    from qa_app.extensions import db  # noqa: PLC0415
    from qa_app.models import ReportFile, ReportVersion  # noqa: PLC0415

    version = ReportVersion(
        month="2026-10", scope="council", version=1, status="failed", as_of=date(2026, 11, 2)
    )
    db.session.add(version)
    db.session.add(
        ReportFile(version=version, kind="html", size=4, sha256="0" * 64, content=b"<p>")
    )
    db.session.commit()
    return version


def api_token(user):
    from datetime import datetime  # noqa: PLC0415

    from qa_app.extensions import db  # noqa: PLC0415
    from qa_app.services.people.api_tokens import create_token  # noqa: PLC0415

    token, _plain = create_token(user, "Power BI", now=datetime(2026, 11, 2))
    db.session.commit()
    return token


def sample_world(case, auditor):
    """A published cycle with the case given to *auditor*, who asked for 2 more days."""
    from datetime import date  # noqa: PLC0415

    from qa_app.extensions import db  # noqa: PLC0415
    from qa_app.models import Assignment, AuditCycle, ExtensionRequest, SampleItem  # noqa: PLC0415

    cycle = AuditCycle(
        month="2026-11", reference_date=date(2026, 11, 1), seed=1, status="published"
    )
    item = SampleItem(cycle=cycle, case_id=case.id, team_id=case.team_id, cohort=case.cohort)
    assignment = Assignment(
        item=item, auditor=auditor, due_on=date(2026, 11, 30), status="assigned"
    )
    extension = ExtensionRequest(
        assignment=assignment,
        working_days=2,
        reason="Leave",
        decider_role="line_manager",
        decider_id=auditor.line_manager_id,
        requested_by_id=auditor.id,
    )
    db.session.add_all([cycle, item, assignment, extension])
    db.session.commit()
    return cycle, assignment, extension


def audit_world(assignment, auditor):
    """A submitted audit of the sample assignment, with a safeguarding concern."""
    from qa_app.extensions import db  # noqa: PLC0415
    from qa_app.models import Audit, SafeguardingConcern, ToolkitVersion  # noqa: PLC0415
    from qa_app.models.base import utcnow  # noqa: PLC0415

    version = db.session.scalar(db.select(ToolkitVersion))
    audit = Audit(
        assignment=assignment,
        case_id=assignment.item.case_id,
        auditor_id=auditor.id,
        toolkit_version=version,
        status="submitted",
        answers={},
        submitted_at=utcnow(),
        overall_grade=2,
    )
    concern = SafeguardingConcern(
        audit=audit, case_id=audit.case_id, raised_by_id=auditor.id, what="W", why="Y"
    )
    db.session.add_all([audit, concern])
    db.session.commit()
    return audit, concern


def moderation_world(users, case, assignment):
    """An open moderation, a completed one under dispute, and a tier 3 review."""
    from datetime import datetime  # noqa: PLC0415

    from sqlalchemy import select  # noqa: PLC0415

    from qa_app.extensions import db  # noqa: PLC0415
    from qa_app.models import (  # noqa: PLC0415
        Audit,
        Dispute,
        EscalationTrigger,
        Moderation,
        Tier3Review,
        ToolkitVersion,
    )
    from tests.support.factories import make_submitted_audit  # noqa: PLC0415

    version = db.session.scalar(select(ToolkitVersion))
    # The sample audit (audit_world), moderated: one audit per assignment.
    moderated = db.session.scalar(select(Audit).where(Audit.assignment_id == assignment.id))
    moderated.status = "moderated"
    moderated.overall_grade = 3
    moderated.moderated_grade = 3
    moderated.submitted_at = datetime(2026, 11, 20, 9)
    now = datetime.now()  # the dispute window is checked against today
    done = Moderation(
        audit=moderated,
        moderator=users["independent_auditor"],
        reason="random",
        status="completed",
        due_on=now.date(),
        blind_overall_grade=3,
        blind_at=now,
        final_overall_grade=3,
        completed_at=now,
    )
    dispute = Dispute(
        moderation=done,
        raised_by_id=assignment.auditor_id,
        reason="I disagree",
        decider_id=users["head_of_service"].id,
    )
    other = make_submitted_audit(grade=2, toolkit_version=version)
    pending = Moderation(
        audit=other,
        moderator=users["independent_auditor"],
        reason="random",
        status="assigned",
        due_on=now.date(),
    )
    trigger = EscalationTrigger(
        key="inadequate_audit:matrix", kind="inadequate_audit", audit=moderated, case_id=case.id
    )
    review = Tier3Review(
        trigger=trigger,
        reviewer_id=users["head_of_service"].id,
        reviewer_role="head_of_service",
        due_on=now.date(),
    )
    db.session.add_all([moderated, done, dispute, pending, review])
    db.session.commit()
    return {
        "moderation": pending.id,
        "moderated": done.id,
        "dispute": dispute.id,
        "tier3": review.id,
    }


def _request(client, method, url):
    return client.post(url) if method == "POST" else client.get(url)


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
@pytest.mark.parametrize("role", sorted(ROLES))
def test_role_can_use_exactly_the_routes_it_should(client, auth, world, endpoint, role):
    users, ids = world
    method, template, allowed = MATRIX[endpoint]
    auth.login(users[role])
    response = _request(client, method, template.format(**ids))
    if allowed != PUBLIC and role not in allowed:
        assert response.status_code == 403, f"{role} should be refused {endpoint}"
        return
    assert response.status_code != 403, f"{role} should reach {endpoint}"
    if endpoint in SCOPED:
        expected = SCOPED_OK.get(endpoint, 200) if role in SCOPED[endpoint] else 404
        assert response.status_code == expected, f"{role} scope on {endpoint}"


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_anonymous_users_are_sent_to_sign_in(client, world, endpoint):
    _, ids = world
    method, template, allowed = MATRIX[endpoint]
    response = _request(client, method, template.format(**ids))
    if endpoint in TOKEN_AUTH:
        assert response.status_code == 401
    elif allowed == PUBLIC:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/sign-in")


@pytest.mark.parametrize("endpoint", sorted(e for e, (m, _, _) in MATRIX.items() if m == "POST"))
def test_state_changes_are_post_only(client, auth, world, endpoint):
    users, ids = world
    auth.login(users["qa_admin"])
    assert client.get(MATRIX[endpoint][1].format(**ids)).status_code == 405
