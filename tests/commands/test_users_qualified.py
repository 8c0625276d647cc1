"""`qa users create --qualified-on` and `qa users set-qualified`: the social work qualification
date caseloads by experience are reported by."""

from datetime import date

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import User
from tests.support.factories import TEST_PASSWORD, make_user


@pytest.mark.clock("2026-11-25T10:00")
def test_create_records_the_qualification_date(runner, app_ctx):
    args = ["users", "create", "--email", "nq@council.test", "--name", "New Q", "--roles",
            "social_worker", "--password", TEST_PASSWORD, "--qualified-on", "2026-07-01"]  # fmt: skip
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "nq@council.test"))
    assert user.qualified_on == date(2026, 7, 1)
    future = runner.invoke(args=[*args[:3], "f@council.test", *args[4:-1], "2026-11-26"])
    assert future.exit_code == 1 and "Date qualified must be today or in the past" in future.output
    assert db.session.scalar(select(User).where(User.email == "f@council.test")) is None


@pytest.mark.clock("2026-11-25T10:00")
def test_set_qualified_records_clears_and_refuses_bad_dates(runner, app_ctx):
    user = make_user("social_worker", email="sw@council.test")
    result = runner.invoke(args=["users", "set-qualified", "sw@council.test", "2024-02-29"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, user.id).qualified_on == date(2024, 2, 29)
    bad = runner.invoke(args=["users", "set-qualified", "sw@council.test", "29/02/2024"])
    assert bad.exit_code == 1 and "not a date in the form YYYY-MM-DD" in bad.output
    early = runner.invoke(args=["users", "set-qualified", "sw@council.test", "1949-12-31"])
    assert early.exit_code == 1 and "after 1 January 1950" in early.output
    db.session.expire_all()
    assert db.session.get(User, user.id).qualified_on == date(2024, 2, 29)
    cleared = runner.invoke(args=["users", "set-qualified", "sw@council.test", "none"])
    assert cleared.exit_code == 0 and "not recorded" in cleared.output
    db.session.expire_all()
    assert db.session.get(User, user.id).qualified_on is None
