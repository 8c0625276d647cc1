"""The `qa` command line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Audit, AuditCycle, Case, ReportVersion, User
from tests.support.factories import TEST_PASSWORD, TeamFactory, make_user


def test_users_create_makes_an_account_that_can_sign_in(runner, client, app_ctx):
    TeamFactory(name="North CP A")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "New.Person@council.test",
            "--name",
            "New Person",
            "--roles",
            "team_manager,iro",
            "--team",
            "north cp a",
            "--password",
            TEST_PASSWORD,
        ],
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new.person@council.test"))
    assert user.roles == {"team_manager", "iro"} and user.team.name == "North CP A"
    signed_in = client.post(
        "/auth/sign-in", data={"email": "new.person@council.test", "password": TEST_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_users_create_refuses_unknown_roles_and_duplicate_emails(runner, app_ctx):
    make_user("psw", email="taken@council.test")
    bad_role = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@council.test",
            "--name",
            "A",
            "--roles",
            "boss",
            "--password",
            TEST_PASSWORD,
        ]
    )
    assert bad_role.exit_code == 1 and "Unknown role boss" in bad_role.output
    dup = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "taken@council.test",
            "--name",
            "B",
            "--roles",
            "psw",
            "--password",
            TEST_PASSWORD,
        ]
    )
    assert dup.exit_code == 1 and "already exists" in dup.output
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_users_set_roles_replaces_roles(runner, app_ctx):
    user = make_user("social_worker", email="sw@council.test")
    result = runner.invoke(
        args=["users", "set-roles", "sw@council.test", "team_manager", "senior_manager"]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, user.id).roles == {"team_manager", "senior_manager"}


def test_users_import_prints_json_summary_and_exits_2_on_a_structural_error(
    runner, app_ctx, tmp_path
):
    good = tmp_path / "staff.csv"
    good.write_text(
        "name,email,roles,team,line_manager_email,capacity\nAl,al@council.test,psw,,,\n"
    )
    result = runner.invoke(args=["users", "import", str(good), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["created"] == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nx,y\n")
    result = runner.invoke(args=["users", "import", str(bad)])
    assert result.exit_code == 2
    assert "missing column(s)" in result.output


def test_demo_seed_if_empty_loads_once(runner, app_ctx):
    first = runner.invoke(args=["demo", "seed", "--cases", "300", "--if-empty", "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output.strip().splitlines()[-1])["open_cases"] == 300
    second = runner.invoke(args=["demo", "seed", "--cases", "300", "--if-empty"])
    assert second.exit_code == 0 and "already holds a council" in second.output
    # Open cases: the demo's events come with the closed cases of the year.
    assert db.session.scalar(select(func.count(Case.id)).where(Case.closed_on.is_(None))) == 300


def test_demo_seed_history_months_sets_how_much_audit_history_comes_with_it(runner, app_ctx):
    result = runner.invoke(args=["demo", "seed", "--cases", "300", "--history-months", "0"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Case.id))) == 300
    assert db.session.scalar(select(func.count(AuditCycle.id))) == 0
    assert db.session.scalar(select(func.count(ReportVersion.id))) == 0
    args = "demo seed --cases 300 --history-months 2 --today 2026-11-23 --reset --yes"
    two = runner.invoke(args=args.split())
    assert two.exit_code == 0, two.output
    months = db.session.scalars(select(AuditCycle.month).order_by(AuditCycle.month)).all()
    assert months == ["2026-09", "2026-10"]
    # Last month's draft report, as the monthly job would have built it on the 1st.
    report = db.session.scalar(select(ReportVersion))
    assert (report.month, report.status, report.trigger) == ("2026-10", "draft", "schedule")
    assert report.data["headline"]["audits_completed"] > 0 and report.file("pdf").size > 1000
    assert "Draft audit report for 2026-10 built" in two.output
    assert db.session.scalar(select(func.count(Audit.id))) > 0
    bad = runner.invoke(args=["demo", "seed", "--cases", "300", "--history-months", "13"])
    assert bad.exit_code == 2 and "--history-months" in bad.output


def test_demo_seed_refuses_a_non_empty_database_without_reset(runner, app_ctx):
    make_user("psw")
    result = runner.invoke(args=["demo", "seed", "--cases", "100"])
    assert result.exit_code == 2 and "empty database" in result.output
    reset = runner.invoke(args=["demo", "seed", "--cases", "100", "--reset", "--yes"])
    assert reset.exit_code == 0, reset.output
    assert db.session.scalar(select(func.count(Case.id)).where(Case.closed_on.is_(None))) == 100


def test_demo_logins_lists_one_login_per_role(runner, app_ctx):
    output = runner.invoke(args=["demo", "logins"]).output
    for role in ("qa_admin", "dcs", "psw", "head_of_service", "team_manager", "social_worker"):
        assert role in output
    assert "Casefile-demo-2026" in output


def test_schedule_list_names_every_periodic_job(runner, app_ctx):
    output = runner.invoke(args=["schedule", "list"]).output
    assert "requeue-stranded-tasks: every 5 minutes" in output


@pytest.mark.parametrize("args", [["--help"], ["demo", "logins"]])
def test_qa_without_its_settings_says_what_to_set_in_one_line(args, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env["QA_INSTANCE_PATH"] = str(tmp_path)
    qa = Path(sys.executable).with_name("qa")
    result = subprocess.run(
        [str(qa), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("qa: QA_SECRET_KEY must be set in production.")
    assert "export QA_CONFIG=development" in lines[0]
