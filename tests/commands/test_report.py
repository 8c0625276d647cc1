"""``qa report build`` and ``qa report export``: the stable JSON and CSV interfaces."""

import csv
import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Audit, Moderation, ModerationSectionGrade, ReportVersion
from tests.support.factories import make_toolkit_version, make_user
from tests.support.report_world import Spec, load, make_world

MONTH = "2026-10"


@pytest.fixture
def world(app_ctx):
    world = make_world(make_toolkit_version())
    load(
        world,
        [
            Spec(MONTH, i % 3, "cin", "random", i != 0, False, 1 + i % 4, 4 if i == 5 else None,
                 (2, 3, None), ("yes", "no", "yes", "na"))
            for i in range(9)
        ],
    )  # fmt: skip
    # The moderation record behind the moderated audit (blind grade 4, moderator known).
    moderated = db.session.scalar(select(Audit).where(Audit.moderated_grade.is_not(None)))
    moderator = make_user("advanced_practitioner", email="moderator@example.test")
    db.session.add(
        Moderation(
            audit_id=moderated.id,
            moderator_id=moderator.id,
            reason="random",
            status="completed",
            due_on=date(2026, 11, 6),
            blind_overall_grade=4,
            blind_at=datetime(2026, 10, 30),
            sections=[ModerationSectionGrade(section_key="assessment", blind_grade=3)],
        )
    )
    db.session.commit()
    return world


def test_build_prints_the_documented_json_and_writes_the_files(runner, world, tmp_path):
    result = runner.invoke(
        args=["report", "build", "--month", MONTH, "--out", str(tmp_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert list(summary) == [
        "month", "scope", "version", "files", "audits_expected", "audits_completed", "grades",
        "good_or_better_pct", "inadequate_pct", "actions",
    ]  # fmt: skip
    assert summary["month"] == MONTH and summary["scope"] == "council" and summary["version"] == 1
    assert summary["audits_expected"] == 9 and summary["audits_completed"] == 8
    # Reported grades for i = 1..8: 2, 3, 4, 1, 4 (moderated from 2), 3, 4, 1.
    assert summary["grades"] == {"1": 2, "2": 1, "3": 2, "4": 3}
    assert summary["good_or_better_pct"] == 37.5 and summary["inadequate_pct"] == 37.5
    assert summary["actions"] == {
        "raised": 8,
        "completed": 2,
        "overdue": summary["actions"]["overdue"],
    }
    assert set(summary["files"]) == {"html", "pdf", "xlsx"}
    for path in summary["files"].values():
        assert (tmp_path / path.split("/")[-1]).stat().st_size > 1000
    assert db.session.scalar(select(ReportVersion.trigger)) == "cli"


def test_build_refuses_a_bad_month_or_scope_and_changes_nothing(runner, world):
    result = runner.invoke(args=["report", "build", "--month", "2026-1"])
    assert result.exit_code == 2 and "--month" in result.output and "YYYY-MM" in result.output
    result = runner.invoke(args=["report", "build", "--month", MONTH, "--scope", "team:Nope"])
    assert result.exit_code == 2 and "no team called 'Nope'" in result.output
    assert db.session.scalars(select(ReportVersion)).all() == []


def test_export_writes_the_documented_columns(runner, world, tmp_path):
    result = runner.invoke(args=["report", "export", "--month", MONTH, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with (tmp_path / "audits.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:14] == [
        "audit_id", "month", "child_id", "cohort", "team", "locality",
        "auditor_email", "tier", "selection", "status", "submitted_on",
        "overall_grade_auditor", "overall_grade_moderated", "overall_grade_reported",
    ]  # fmt: skip
    assert list(rows[0])[14:] == ["assessment", "planning", "strategy_discussions"]
    assert len(rows) == 8
    moderated = [r for r in rows if r["overall_grade_moderated"]]
    assert [(r["overall_grade_auditor"], r["overall_grade_reported"]) for r in moderated] == [
        ("2", "4")
    ]
    assert {r["strategy_discussions"] for r in rows} == {""}  # not applicable
    assert all(r["child_id"] and "Worker" not in ",".join(r.values()) for r in rows)
    with (tmp_path / "moderation.csv").open() as handle:
        moderation = list(csv.DictReader(handle))
    assert [(m["section"], m["auditor_grade"], m["moderator_grade"]) for m in moderation] == [
        ("overall", "2", "4"),
        ("assessment", "2", "3"),
    ]
    assert {m["moderator_email"] for m in moderation} == {"moderator@example.test"}
    with (tmp_path / "actions.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == 8
