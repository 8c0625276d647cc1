"""`qa import`: the stable command line councils' scheduled jobs use."""

import json

from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Case, Import
from tests.support.importing import FIXTURES

ANNEX_A = str(FIXTURES / "Annex_A.xlsx")
KEYS = {
    "format", "as_of", "children", "open_cases", "by_cohort", "unallocated", "teams_created",
    "staff_created", "closed", "rejected", "warnings",
}  # fmt: skip


def cases() -> int:
    return db.session.scalar(select(func.count(Case.id)))


def test_json_summary_has_every_documented_key(runner, app_ctx):
    result = runner.invoke(args=["import", ANNEX_A, "--as-of", "2021-03-31", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary) >= KEYS
    assert summary["by_cohort"] == {
        "assessment": 0, "cin": 5, "cp": 2, "cla": 4, "short_breaks": 0, "care_leaver": 6,
    }  # fmt: skip
    assert (summary["format"], summary["as_of"], summary["open_cases"]) == (
        "annex-a", "2021-03-31", 17,
    )  # fmt: skip
    assert cases() == 17
    record = db.session.scalar(select(Import))
    assert record.files[0]["sha256"] == summary["files"][0]["sha256"]
    assert len(record.files[0]["sha256"]) == 64 and record.as_of.isoformat() == "2021-03-31"


def test_dry_run_prints_the_same_summary_and_writes_nothing(runner, app_ctx):
    result = runner.invoke(args=["import", ANNEX_A, "--as-of", "2021-03-31", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["open_cases"] == 17
    assert cases() == 0 and db.session.scalar(select(func.count(Import.id))) == 0
    text = runner.invoke(args=["import", ANNEX_A, "--as-of", "2021-03-31", "--dry-run"])
    assert "Dry run: nothing was changed." in text.stdout
    assert "cin 5, cp 2, cla 4" in text.stdout


def test_rejected_rows_still_exit_zero(runner, app_ctx):
    files = [str(FIXTURES / n) for n in ("SSDA903_2020_header.csv", "SSDA903_2020_episodes.csv")]
    result = runner.invoke(args=["import", *files, "--as-of", "2019-06-01", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rejected"][0]["value"] == "UNKN"
    assert summary["by_cohort"]["short_breaks"] == 1


def test_structural_error_exits_2_with_the_message_on_stderr(runner, app_ctx):
    episodes = str(FIXTURES / "SSDA903_2020_episodes.csv")
    result = runner.invoke(
        args=["import", episodes, "--as-of", "2019-06-01", "--format", "annex-a", "--json"]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "this looks like an SSDA903 Episodes table, not an Ofsted Annex A workbook" in (
        result.stderr
    )
    assert cases() == 0


def test_bad_arguments_exit_2(runner, app_ctx, tmp_path):
    assert runner.invoke(args=["import", ANNEX_A]).exit_code == 2  # --as-of is required
    bad_date = runner.invoke(args=["import", ANNEX_A, "--as-of", "31/03/2021"])
    assert bad_date.exit_code == 2
    missing = runner.invoke(args=["import", str(tmp_path / "nope.csv"), "--as-of", "2021-03-31"])
    assert missing.exit_code == 2 and "nope.csv: cannot be read" in missing.stderr


def test_every_problem_of_a_rejected_row_is_printed(runner, app_ctx, tmp_path):
    cases_csv = tmp_path / "cases.csv"
    cases_csv.write_text(
        "child_id,cohort,opened_on,team,worker,dob,sex,ethnicity\n"
        "61,cin,01/01/2021,T,W,31/02/2010,X,ZZZZ\n"
        "62,cin,01/01/2021,T,W,,F,WBRI\n"
    )
    result = runner.invoke(args=["import", str(cases_csv), "--as-of", "2021-03-31", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 rows rejected (3 problems, each listed)" in result.stdout
    for line in (
        "cases.csv row 2 dob='31/02/2010': not a real date",
        "cases.csv row 2 sex='X': not a sex or gender code",
        "cases.csv row 2 ethnicity='ZZZZ': not a DfE ethnicity code",
    ):
        assert line in result.stdout
    summary = json.loads(
        runner.invoke(
            args=["import", str(cases_csv), "--as-of", "2021-03-31", "--dry-run", "--json"]
        ).stdout
    )
    assert summary["rejected_rows"] == 1 and len(summary["rejected"]) == 3
