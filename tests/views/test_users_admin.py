"""The qa_admin's user management pages."""

import io
from datetime import timedelta

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import User, utcnow
from tests.support.factories import TeamFactory, make_user
from tests.support.pages import page_text


def test_admin_adds_a_user_with_roles_team_and_line_manager(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    team = TeamFactory(name="East CIN B")
    boss = make_user("team_manager", email="boss@council.test")
    response = client.post(
        "/users/new",
        data={
            "name": "Nia Newstarter",
            "email": "Nia.Newstarter@council.test",
            "roles": ["social_worker", "iro"],
            "team_id": str(team.id),
            "locality_id": "",
            "line_manager_email": "boss@council.test",
            "capacity": "3",
            "active": "y",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nia.newstarter@council.test"))
    assert user.roles == {"social_worker", "iro"}
    assert (user.team_id, user.line_manager_id, user.capacity) == (team.id, boss.id, 3)
    assert user.password_hash is None  # cannot sign in until given a temporary password


def test_add_user_form_reports_each_problem_beside_its_field(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    make_user("psw", email="taken@council.test")
    response = client.post(
        "/users/new",
        data={
            "name": "",
            "email": "taken@council.test",
            "roles": [],
            "team_id": "",
            "locality_id": "",
        },
    )
    text = page_text(response)
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Enter the full name" in text
    assert "Select at least one role" in text
    assert db.session.scalar(select(User).where(User.name == "")) is None


def test_unknown_line_manager_is_an_error_on_that_field(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    response = client.post(
        "/users/new",
        data={
            "name": "X Y",
            "email": "xy@council.test",
            "roles": ["psw"],
            "team_id": "",
            "locality_id": "",
            "line_manager_email": "ghost@council.test",
        },
    )
    assert "no member of staff with the line manager's email" in page_text(response)
    assert db.session.scalar(select(User).where(User.email == "xy@council.test")) is None


def test_admin_unlocks_a_locked_account(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    locked = make_user("psw", locked_until=utcnow() + timedelta(minutes=10), failed_logins=0)
    assert "This account is locked" in page_text(client.get(f"/users/{locked.id}"))
    assert client.post(f"/users/{locked.id}/unlock").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, locked.id).locked_until is None


def test_temporary_password_must_be_changed_and_signs_out_old_sessions(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    person = make_user("psw")
    token = person.session_token
    response = client.post(f"/users/{person.id}/password", data={"password": "temporary-pass-123"})
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert person.must_change_password and person.session_token != token


def test_staff_csv_upload_reports_rejected_rows(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    csv = b"name,email,roles,team,line_manager_email,capacity\nAl,al@council.test,psw,,,\nBo,bo,psw,,,\n"
    response = client.post(
        "/users/import",
        data={"file": (io.BytesIO(csv), "staff.csv")},
        content_type="multipart/form-data",
    )
    text = page_text(response)
    assert "1 added and 0 updated; 1 rows rejected" in text
    assert "3 email bo not an email address" in text


def test_user_list_searches_by_name_role_and_status(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    make_user("iro", name="Ivy Reviewer")
    make_user("psw", name="Pat Principal", active=False)
    assert "1 user" in page_text(client.get("/users/?q=ivy"))
    assert "Ivy Reviewer" in page_text(client.get("/users/?role=iro"))
    inactive = page_text(client.get("/users/?status=inactive"))
    assert "Pat Principal" in inactive and "Ivy Reviewer" not in inactive


def test_staff_csv_upload_lists_every_problem_of_a_row(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    csv = b"name,email,roles,team,line_manager_email,capacity\n,bo,wizard,,,99\n"
    response = client.post(
        "/users/import",
        data={"file": (io.BytesIO(csv), "staff.csv")},
        content_type="multipart/form-data",
    )
    text = page_text(response)
    assert "0 added and 0 updated; 1 rows rejected" in text
    assert "2 email bo not an email address" in text
    assert "2 roles wizard Unknown role wizard" in text
    assert "2 name a name is required" in text
    assert "2 capacity 99 a whole number of audits a month, 0 to 50" in text
