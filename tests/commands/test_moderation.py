"""``qa moderation stats`` and ``qa moderation export``: the exact shapes the README describes."""

import csv
import io
import json
from datetime import date, datetime

from qa_app.extensions import db
from qa_app.models import Moderation, ModerationSectionGrade
from tests.support.factories import make_submitted_audit, make_user


def _moderated(grade, blind, moderator, auditor):
    audit = make_submitted_audit(
        grade=grade, sections={"strategy_discussions": None}, auditor=auditor
    )
    db.session.add(
        Moderation(
            audit_id=audit.id,
            moderator_id=moderator.id,
            reason="random",
            status="compared",
            due_on=date(2026, 12, 7),
            blind_overall_grade=blind,
            blind_at=datetime(2026, 11, 25),
            sections=[
                ModerationSectionGrade(section_key="assessment", blind_grade=blind),
                ModerationSectionGrade(section_key="planning", blind_grade=grade),
                ModerationSectionGrade(section_key="strategy_discussions", blind_grade=None),
            ],
        )
    )
    db.session.commit()
    return audit


def test_stats_json_has_exactly_the_documented_keys(app_ctx, runner):
    moderator = make_user("independent_auditor", email="mod@council.test")
    auditor = make_user("team_manager", email="tm@council.test")
    for grade, blind in [(2, 3), (3, 3), (4, 4), (1, 2)]:
        _moderated(grade, blind, moderator, auditor)
    result = runner.invoke(args=["moderation", "stats", "--month", "2026-11", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == [
        "month",
        "pairs",
        "exact_agreement",
        "within_one",
        "kappa_quadratic",
        "kappa_ci",
        "optimism_index",
        "by_auditor",
        "by_section",
    ]
    assert data["month"] == "2026-11" and data["pairs"] == 4
    assert data["exact_agreement"] == 0.5 and data["optimism_index"] == -0.5
    assert len(data["kappa_ci"]) == 2
    assert data["by_auditor"] == [
        {"email": "tm@council.test", "pairs": 4, "exact_agreement": 0.5, "optimism_index": -0.5}
    ]
    assert [row["section"] for row in data["by_section"]] == ["assessment", "planning"]
    text = runner.invoke(args=["moderation", "stats", "--month", "2026-11"])
    assert "exact agreement   50%" in text.output


def test_export_csv_columns_and_rows(app_ctx, runner):
    moderator = make_user("independent_auditor", email="mod@council.test")
    auditor = make_user("team_manager", email="tm@council.test")
    audit = _moderated(2, 3, moderator, auditor)
    result = runner.invoke(args=["moderation", "export", "--month", "2026-11"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == [
        "audit_id",
        "auditor_email",
        "moderator_email",
        "section",
        "auditor_grade",
        "moderator_grade",
    ]
    base = [str(audit.id), "tm@council.test", "mod@council.test"]
    assert rows[1:] == [
        [*base, "overall", "2", "3"],
        [*base, "assessment", "2", "3"],
        [*base, "planning", "2", "2"],
        [*base, "strategy_discussions", "", ""],
    ]


def test_a_bad_month_is_refused_with_a_message(app_ctx, runner):
    for command in ("stats", "export"):
        result = runner.invoke(args=["moderation", command, "--month", "2026-13"])
        assert result.exit_code == 2
        assert "Month '2026-13' is not in the form YYYY-MM" in result.output
