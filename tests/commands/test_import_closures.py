"""`qa import` refuses, with exit status 2, an import closing many cases unless
--confirm-closures gives the exact number (issue 15)."""

import json

from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Case, Import

HEADER = "child_id,cohort,opened_on,team,worker\n"


def write(tmp_path, name, rows) -> str:
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return str(path)


def open_count() -> int:
    return db.session.scalar(select(func.count(Case.id)).where(Case.closed_on.is_(None)))


def imports() -> int:
    return db.session.scalar(select(func.count(Import.id)))


def test_closing_many_cases_needs_the_exact_number(runner, app_ctx, tmp_path):
    rows = [f"{i},cin,2025-01-01,North,Ann Lee" for i in range(20)]
    first = runner.invoke(
        args=["import", write(tmp_path, "all.csv", rows), "--as-of", "2025-06-01"]
    )
    assert first.exit_code == 0, first.output
    short = write(tmp_path, "short.csv", rows[:5])

    refused = runner.invoke(args=["import", short, "--as-of", "2025-07-01"])
    assert refused.exit_code == 2
    assert refused.stderr == (
        "Refused: this import would close 15 of the 20 open cases of the cohorts it covers (more "
        "than 10%). Nothing was changed; to import, run it again with --confirm-closures 15\n"
    )
    wrong = runner.invoke(
        args=["import", short, "--as-of", "2025-07-01", "--confirm-closures", "14"]
    )
    assert wrong.exit_code == 2 and "would close 15 cases, not 14" in wrong.stderr
    assert (open_count(), imports()) == (20, 1)

    dry = runner.invoke(args=["import", short, "--as-of", "2025-07-01", "--dry-run"])
    assert dry.exit_code == 0
    assert "closing: cin 15; by team: North 15" in dry.stdout
    assert "pass --confirm-closures 15" in dry.stdout

    done = runner.invoke(
        args=["import", short, "--as-of", "2025-07-01", "--confirm-closures", "15", "--json"]
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["closing"]["cases"] == 15
    assert (open_count(), imports()) == (5, 2)


def test_a_file_with_every_row_rejected_exits_2(runner, app_ctx, tmp_path):
    rows = [f"{i},cin,2025-01-01,North,Ann Lee" for i in range(3)]
    runner.invoke(args=["import", write(tmp_path, "all.csv", rows), "--as-of", "2025-06-01"])
    bad = write(tmp_path, "bad.csv", ["=1+1,cin,2025-01-01,North,Ann Lee"])
    refused = runner.invoke(args=["import", bad, "--as-of", "2025-07-01"])
    assert refused.exit_code == 2
    assert "no row in the files was accepted" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert (open_count(), imports()) == (3, 1)


def test_the_share_is_read_from_the_config(runner, app_ctx, tmp_path):
    app_ctx.config["IMPORT_CLOSURE_CONFIRM_SHARE"] = 0.9
    rows = [f"{i},cin,2025-01-01,North,Ann Lee" for i in range(20)]
    runner.invoke(args=["import", write(tmp_path, "all.csv", rows), "--as-of", "2025-06-01"])
    result = runner.invoke(
        args=["import", write(tmp_path, "short.csv", rows[:5]), "--as-of", "2025-07-01"]
    )
    assert result.exit_code == 0 and open_count() == 5
