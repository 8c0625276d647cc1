"""Passwords: long enough, not the email address, and not common, breached or easy to guess."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_app.extensions import db
from qa_app.models import User
from qa_app.services.people.accounts import AccountError, check_password_policy
from tests.support.factories import TEST_PASSWORD, make_user


def check(password: str, email: str = "pat.smith@council.test", name: str = "Pat Smith"):
    check_password_policy(password, email=email, min_length=12, name=name)


@pytest.mark.parametrize(
    "password",
    [
        "password1234",  # in the breached-passwords list with digits on
        "Password1234",
        "qwertyuiop123",  # a keyboard walk
        "iloveyou2026!",
        "Liverpool1234",
        "P@ssw0rd12345",  # l33t spelling of a common one
        "patsmith2026!",  # built from the person's own name
        "council.test1",  # built from their email address
    ],
)
def test_common_breached_and_personal_passwords_are_refused(password):
    with pytest.raises(AccountError, match="too common or too easy to guess"):
        check(password)


@pytest.mark.parametrize(
    "password", ["Casefile-demo-2026", "a much longer new passphrase", "kettle orbit violin 7"]
)
def test_long_unusual_passwords_are_accepted(password):
    check(password)


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=12, max_size=300))
def test_any_text_gets_an_answer_or_a_message(password):
    try:
        check(password)
    except AccountError as exc:
        assert str(exc).startswith("Password")


# Every place a password is set refuses a common one: own change, admin, the qa command.


def test_changing_your_own_password_refuses_a_common_one(client, auth, app_ctx):
    user = auth.login(make_user("psw"))
    before = user.password_hash
    response = client.post(
        "/auth/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "Password1234",
            "confirm_password": "Password1234",
        },
    )
    assert response.status_code == 200
    assert "too common or too easy to guess" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before


def test_an_administrators_temporary_password_must_not_be_common(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    person = make_user("psw")
    response = client.post(f"/users/{person.id}/password", data={"password": "qwertyuiop123"})
    assert "too common or too easy to guess" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(User, person.id).must_change_password


def test_qa_users_set_password_refuses_a_common_one(runner, app_ctx):
    make_user("psw", email="sw@council.test")
    result = runner.invoke(
        args=["users", "set-password", "sw@council.test", "--password", "iloveyou2026!"]
    )
    assert result.exit_code == 1
    assert "too common or too easy to guess" in result.output
