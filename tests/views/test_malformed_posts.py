"""Every POST route, malformed input: a form error (or a refusal), never a 500, nothing changed.

FORMS below is the reviewed table: each POST endpoint of the app with the role that may use it
on the permission matrix's world (tests/views/test_permission_matrix.py builds it) and its form
fields, each with a kind and whether it is required. A new POST route fails
test_every_post_route_is_in_the_table until it is added here. For each field the test posts the
other fields as the table gives them and this one malformed for its kind: missing, blank, text
in a number, 100,000 characters, an unknown choice, missing or extra date parts, a file where
text belongs, text where a file belongs, and bytes that are not UTF-8. The database must be
exactly as before (every row of every table, tests/support/snapshot.py).

Routes with no input (publish, approve, sign out...) have nothing to malform: the request is the
action. They are listed with no fields and get junk bodies, which must not cause a 500.
"""

import io
import json
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.snapshot import changed_tables, database_fingerprint
from tests.views import test_permission_matrix as matrix

LONG = "x" * 100_000
JUNK = "\x00\ufffd\u202e\U0001f600<\"'&" * 40
NOT_UTF8 = b"%FF%FE%C3%28%00%ED%A0%80"
MATRIX = matrix.MATRIX
# The permission matrix's world (every role, a case, cycle, audit, moderation...), reused.
world = matrix.world


@dataclass(frozen=True)
class F:
    kind: str  # text, int, number, choice, date, month, email, file, version, isodate, bool
    required: bool = False
    valid: object = None


@dataclass(frozen=True)
class Route:
    role: str
    fields: dict = field(default_factory=dict)
    url: str | None = None  # else the permission matrix's
    multipart: bool = False


def T(required=False, valid="A reason"):  # noqa: N802 - reads as a table
    return F("text", required, valid)


ADMIN = "qa_admin"
COMPARATOR = {
    "label": T(True, "Statistical neighbours"),
    "figure": F("number", True, "21.5"),
    "year": F("int", True, "2024"),
    "source": T(True, "DfE LAIT 2024"),
}
DATE = ["15", "1", "2027"]
FORMS = {
    "absences.add": Route(ADMIN, {
        "user_id": F("choice", True, "{user}"), "kind": F("choice", True, "absence"),
        "starts_on": F("date", True, ["1", "12", "2026"]), "ends_on": F("date", True, ["31", "12", "2026"]),
        "reason": T()}),
    "absences.approve": Route("dcs"),
    "absences.remove": Route(ADMIN),
    "actions.change": Route("social_worker", {
        "due-version": F("version", True, "{action_version}"), "due-due_on": F("isodate", True, "2027-01-15"),
        "due-reason": T()}, url="/actions/{action}/due-date"),
    "assignments.decide": Route("senior_manager", {
        "decision": F("choice", True, "approve"), "note": T()}),
    "assignments.extension": Route("advanced_practitioner", {
        "working_days": F("int", True, "2"), "reason": T(True)}),
    "audits.autosave": Route("advanced_practitioner"),  # JSON: test_autosave_refuses_junk_json
    "audits.page": Route("advanced_practitioner", {
        "overall.grade": F("choice", True, "2"), "overall.rationale": T(), "version": F("version", True, "1")},
        url="/audits/{audit}/pages/overall"),
    "audits.reflect": Route("social_worker", {"agreement": F("choice", True, "agree"), "comments": T(True)}),
    "audits.reopen": Route(ADMIN, {"reason": T(True)}),
    "audits.safeguarding_concern": Route("advanced_practitioner", {"what": T(True), "why": T(True), "next": T()}),
    "audits.start": Route("advanced_practitioner"),
    "audits.submit": Route("advanced_practitioner", {"version": F("version", True, "1")}),
    "auth.change_password": Route("psw", {
        "current_password": T(True, "not the password"), "new_password": T(True, "kettle orbit violin 7"),
        "confirm_password": T(True, "kettle orbit violin 7")}),
    "auth.sign_in": Route("anonymous", {"email": F("email", True, "nobody@council.test"), "password": T(True)}),
    "auth.sign_out": Route("psw"),
    "cycles.add_case": Route(ADMIN, {
        "child_id": T(True, "{child_id}"), "selection": F("choice", True, "thematic"), "note": T()}),
    "cycles.allocate": Route(ADMIN),
    "cycles.close": Route(ADMIN),
    "cycles.draw": Route(ADMIN, {
        "month": F("month", True, "2027-02"), "rate": T(False, "0.1"), "seed": F("int", False, "7"),
        "reference_date": F("isodate", False, "2027-02-01")}),
    "cycles.publish": Route(ADMIN, {"confirm_closed": F("int", False, "")}),
    "cycles.reassign": Route(ADMIN, {"auditor_id": F("choice", True, "{user}")}),
    "cycles.redraw": Route(ADMIN),
    "cycles.replace_closed": Route(ADMIN),
    "cycles.swap": Route(ADMIN, {"other_child_id": T(True, "{child_id}")}),
    "imports.confirm": Route(ADMIN),
    "imports.confirm_person": Route(ADMIN, {"email": F("email", False, "new.person@council.test")}),
    "imports.confirm_team": Route(ADMIN),
    "imports.discard": Route(ADMIN),
    "imports.undo": Route(ADMIN),
    "imports.merge_person": Route(ADMIN, {"into_email": F("email", True, "{user_email}")}),
    "imports.merge_team": Route(ADMIN, {"team-into": F("choice", True, "{team}")}),
    "imports.new": Route(ADMIN, {
        "files": F("file", True), "as_of": F("date", True, ["31", "3", "2026"]), "format": F("choice", False, "csv")},
        multipart=True),
    "moderation.blind": Route("independent_auditor", {
        "overall": F("choice", True, "2"), "rationale": T(True)}),
    "moderation.decide": Route("head_of_service", {
        "decision": F("choice", True, "uphold"), "grade": F("choice", False, "2"), "note": T(True)}),
    "moderation.dispute": Route("advanced_practitioner", {"reason": T(True)}, url="/moderation/{moderated}/dispute"),
    "moderation.final": Route("independent_auditor", {"final-overall": F("choice", True, "2"), "reason-overall": T()}),
    "moderation.manage": Route(ADMIN, {"audit_id": F("int", True, "{audit}")}),
    "moderation.reassign": Route(ADMIN, {"moderator_id": F("int", True, "{moderator}")}),
    "notifications.mode": Route("advanced_practitioner", {"mode": F("choice", True, "digest")}),
    "notifications.read": Route("advanced_practitioner"),  # marking read is the action
    "notifications.read_all": Route("advanced_practitioner"),
    "organisation.team": Route(ADMIN, {
        "name": T(True, "North CP B"), "locality_id": F("choice", False, ""), "service": F("choice", False, "cp"),
        "active": F("bool", False, "y")}),
    "reports.build": Route("psw", {"month": F("month", True, "2026-10"), "scope": T(False, "council")}),
    "reports.messages": Route("psw", {"key_messages": T(True, "All well")}),
    "reports.publish": Route("psw"),
    "reports.renew_token": Route("psw"),
    "reports.revoke_token": Route("psw"),
    "reports.tokens": Route("psw", {"name": T(True, "Power BI")}),
    "thresholds.add_comparator": Route("psw", COMPARATOR),
    "thresholds.bands": Route("psw", {
        "shape": F("choice", True, "higher"), "effective_from": F("choice", True, "{this_month}"),
        "reason": T(True), "band_1": F("choice", False, "inadequate"), "limit_1": F("number", False, "50"),
        "edge_1": F("choice", False, "below"), "band_2": F("choice", False, "good"),
        "based_on": T(False, "")}),
    "thresholds.edit_comparator": Route("psw", COMPARATOR),
    "thresholds.remove_comparator": Route("psw"),
    "tier3.review": Route("head_of_service", {
        "agrees_grade": F("choice", True, "yes"), "grade_comment": T(), "actions": T(),
        "overseen_by": F("choice", False, ""), "reaudit_by": F("date", True, DATE)}),
    "toolkits.confirm": Route(ADMIN, {
        "source": T(True, "eA=="), "filename": T(True, "kit.yaml"), "content_hash": T(True, "0" * 64)}),
    "toolkits.upload": Route(ADMIN, {"file": F("file", True)}, multipart=True),
    "users.edit": Route(ADMIN, {
        "name": T(True, "Sam Worker"), "email": F("email", True, "sam.worker@council.test"),
        "roles": F("choice", True, "social_worker"), "team_id": F("choice", False, "{team}"),
        "line_manager_email": F("email", False), "capacity": F("int", False, "3")}),
    "users.import_staff": Route(ADMIN, {"file": F("file", True)}, multipart=True),
    "users.new": Route(ADMIN, {
        "name": T(True, "New Person"), "email": F("email", True, "new.person@council.test"),
        "roles": F("choice", True, "social_worker"), "team_id": F("choice", False, "{team}"),
        "line_manager_email": F("email", False), "capacity": F("int", False, "3")}),
    "users.temporary_password": Route(ADMIN, {"password": T(True, "kettle orbit violin 7")}),
    "users.unlock": Route(ADMIN),
}  # fmt: skip

BAD = {
    "text": [LONG],
    "int": ["abc", "1.5", "9" * 5_000, JUNK, LONG],
    "number": ["abc", "1,5", "NaN", "inf", "9" * 5_000, JUNK, LONG],
    "choice": ["not-a-choice", JUNK, LONG],
    "date": [
        ["1", "", ""],
        ["a", "b", "c"],
        ["1", "2"],
        ["1", "2", "2027", "4"],
        ["31", "2", "2027"],
    ],
    "month": ["2026-13", "abc", LONG],
    "email": ["not-an-email", LONG + "@council.test"],
    "version": ["abc", "-1", LONG],
    "isodate": ["2027-02-30", "tomorrow", LONG],
    "file": ["not a file"],
    "bool": [],
}


def post_routes(app) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}


def test_every_post_route_is_in_the_table(app):
    assert post_routes(app) == set(FORMS)


def _values(ids: dict, users: dict) -> dict:
    from qa_app.clock import local_today  # noqa: PLC0415
    from qa_app.extensions import db  # noqa: PLC0415
    from qa_app.models import Action, Case  # noqa: PLC0415

    return {
        **ids,
        "action_version": db.session.get(Action, ids["action"]).version,
        "child_id": db.session.get(Case, ids["case"]).child.la_child_id,
        "user_email": users["psw"].email,
        "moderator": users["head_of_service"].id,
        "this_month": f"{local_today():%Y-%m}",
    }


def _valid(route: Route, values: dict) -> dict:
    data = {}
    for name, spec in route.fields.items():
        if spec.kind == "file":
            data[name] = (io.BytesIO(b"name,email\n"), "upload.csv")
        elif isinstance(spec.valid, str):
            data[name] = spec.valid.format(**values)
        elif spec.valid is not None:
            data[name] = spec.valid
    return data


def _malformed(route: Route, valid: dict):
    """(description, form data) pairs: the valid data with one field made wrong."""
    for name, spec in route.fields.items():
        others = {k: v for k, v in valid.items() if k != name}
        if spec.required:
            yield f"{name} missing", others
            if spec.kind != "file":
                yield (
                    f"{name} blank",
                    others | {name: ["", ""][:1] if spec.kind != "date" else ["", "", ""]},
                )
        for bad in BAD[spec.kind]:
            yield f"{name}={str(bad)[:20]!r}", others | {name: bad}
        if spec.kind == "text" and spec.required:
            yield f"{name} as a file", others | {name: (io.BytesIO(b"x"), "x.txt")}


def _post(client, url, data, multipart):
    has_file = multipart or any(isinstance(v, tuple) for v in data.values())
    if has_file:
        data = {
            k: (io.BytesIO(v[0].getvalue()), v[1]) if isinstance(v, tuple) else v
            for k, v in data.items()
        }
        return client.post(url, data=data, content_type="multipart/form-data")
    return client.post(url, data=data)


def _sign_in(auth, users, role):
    if role == "anonymous":
        auth.logout()
    else:
        auth.login(users[role])


@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_malformed_input_is_refused_without_a_500_or_a_change(client, auth, world, endpoint):
    users, ids = world
    route = FORMS[endpoint]
    url = (route.url or MATRIX[endpoint][1]).format(**ids)
    valid = _valid(route, _values(ids, users))
    before = database_fingerprint()
    tried = 0
    for what, data in _malformed(route, valid):
        _sign_in(auth, users, route.role)
        response = _post(client, url, data, route.multipart)
        assert response.status_code < 500, f"{endpoint}: {what} gave {response.status_code}"
        assert changed_tables(before, database_fingerprint()) == [], (
            f"{endpoint}: {what} changed data"
        )
        tried += 1
    assert tried or not route.fields
    # Bytes that are not UTF-8, in every field (text fields too: no required one is left valid).
    _sign_in(auth, users, route.role)
    body = "&".join(f"{name}={NOT_UTF8.decode()}" for name in route.fields or ["junk"])
    response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, f"{endpoint}: non-UTF-8 body"
    if any(spec.required and spec.kind != "text" for spec in route.fields.values()):
        assert changed_tables(before, database_fingerprint()) == [], (
            f"{endpoint}: non-UTF-8 changed data"
        )


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    endpoint=st.sampled_from(sorted(e for e, r in FORMS.items() if r.fields)),
    junk=st.one_of(st.text(max_size=300), st.lists(st.text(max_size=30), max_size=4)),
    pick=st.integers(min_value=0),
)
def test_any_junk_in_any_field_gets_an_answer_not_a_500(client, auth, world, endpoint, junk, pick):
    users, ids = world
    route = FORMS[endpoint]
    url = (route.url or MATRIX[endpoint][1]).format(**ids)
    data = _valid(route, _values(ids, users))
    name = sorted(route.fields)[pick % len(route.fields)]
    data[name] = junk
    _sign_in(auth, users, route.role)
    assert _post(client, url, data, route.multipart).status_code < 500


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", json.dumps({"field": LONG, "value": LONG, "version": "1"}).encode(),
     json.dumps({"field": "overall.grade", "value": {"a": [1]}, "version": 10**40}).encode(),
     b"\xff\xfe{}"],
)  # fmt: skip
def test_autosave_refuses_junk_json(client, auth, world, body):
    users, ids = world
    auth.login(users["advanced_practitioner"])
    before = database_fingerprint()
    response = client.post(
        f"/audits/{ids['audit']}/autosave", data=body, content_type="application/json"
    )
    assert response.status_code < 500
    assert changed_tables(before, database_fingerprint()) == []
