"""The README's case-import examples run as written: every ``qa import`` command line in a fenced
block of README.md or docs/*.md, against every case CSV the README and docs/formats.md show, and
the same CSVs through the web upload. If the README drifts from the code, these fail.

File names in the command lines stand for the sample files below; the case CSV (``cases.csv``)
stands for each CSV example in turn.
"""

import io
import json
import re
import shlex
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.importers import own_csv
from qa_app.importers.detect import OWN_CSV_COLUMNS
from qa_app.models import Case, Import, ImportUpload
from tests.support.factories import make_user
from tests.support.importing import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FORMATS = ROOT / "docs" / "formats.md"
EXAMPLE = ROOT / "docs" / "examples" / "cases.csv"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
# The sample each file name of a README command stands for.
SAMPLES = {
    "Annex_A.xlsx": FIXTURES / "Annex_A.xlsx",
    "cin_census.xml": FIXTURES / "cin-2022.xml",
    "header.csv": FIXTURES / "SSDA903_2020_header.csv",
    "episodes.csv": FIXTURES / "SSDA903_2020_episodes.csv",
    "sw_episodes.csv": FIXTURES / "sw_episodes.csv",
}
CASE_CSV = "cases.csv"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(page: Path, language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(page.read_text("utf-8")) if lang == language]


def section(page: Path, heading: str) -> str:
    text = page.read_text("utf-8")
    start = text.index(heading)
    following = re.search(r"^#{1,3} ", text[start + len(heading) :], re.MULTILINE)
    return text[start : start + len(heading) + (following.start() if following else len(text))]


def case_csv_examples() -> list[str]:
    """Every CSV in the README's case CSV section (the example file is one of them)."""
    found = FENCE.findall(section(README, "### The case CSV"))
    return [body for lang, body in found if lang == "csv"]


def import_commands() -> list[str]:
    """Every ``qa import`` example line in a fenced shell block (synopses with ``FILE...`` and
    ``[options]`` left out), its comment removed."""
    lines = []
    for page in PAGES:
        for body in blocks(page, "bash"):
            for line in body.splitlines():
                command = line.split("#", 1)[0].strip()
                if command.startswith("qa import ") and "FILE" not in command and "[" not in line:
                    lines.append(command)
    return lines


def test_the_readme_and_formats_page_agree_with_the_reader_on_the_columns():
    prose = section(README, "### The case CSV")
    listed = r"((?:`\w+`(?:,\s+|\s+and\s+))+`\w+`)"
    required = re.search(listed + r"\s+columns are required", prose)
    optional = re.search(listed + r"\s+are optional", prose)
    assert tuple(re.findall(r"`(\w+)`", required.group(1))) == own_csv.REQUIRED
    assert set(re.findall(r"`(\w+)`", optional.group(1))) == set(OWN_CSV_COLUMNS) - set(
        own_csv.REQUIRED
    )
    rows = re.findall(r"^\| `(\w+)` \| (yes|no)", section(FORMATS, "## The service's own"), re.M)
    assert {c for c, needed in rows if needed == "yes"} == set(own_csv.REQUIRED)
    assert [c for c, _ in rows] == list(OWN_CSV_COLUMNS)


def test_the_readme_shows_the_example_file_as_it_is():
    assert EXAMPLE.read_text("utf-8") in case_csv_examples()
    # One example has only the required columns: the file the README promises is enough.
    headers = [example.splitlines()[0].split(",") for example in case_csv_examples()]
    assert list(own_csv.REQUIRED) in headers


@pytest.mark.parametrize("command", import_commands())
@pytest.mark.parametrize("example", range(len(case_csv_examples())))
def test_each_readme_import_command_runs(runner, app_ctx, tmp_path, command, example):
    args = shlex.split(command)[1:]
    names = [a for a in args if not a.startswith("-") and "." in a and not a[0].isdigit()]
    if CASE_CSV not in names and example > 0:
        pytest.skip("a command without the case CSV runs once")
    unknown = [n for n in names if n != CASE_CSV and n not in SAMPLES]
    assert not unknown, f"README names {unknown}: map it to a sample file in SAMPLES"
    csv_text = case_csv_examples()[example]
    (tmp_path / CASE_CSV).write_text(csv_text, encoding="utf-8")
    paths = {n: str(tmp_path / CASE_CSV if n == CASE_CSV else SAMPLES[n]) for n in names}
    result = runner.invoke(args=[paths.get(a, a) for a in args])
    assert result.exit_code == 0, result.output + result.stderr
    if CASE_CSV not in names:
        return
    rows = csv_text.strip().splitlines()[1:]
    if "--json" in args:
        summary = json.loads(result.stdout)
        assert (summary["format"], summary["children"], summary["rejected"]) == (
            "csv", len(rows), [],
        )  # fmt: skip
    else:
        assert f"{len(rows)} children in the file(s)" in result.stdout
        assert "0 rows rejected" in result.stdout
    written = db.session.scalar(select(func.count(Case.id)))
    assert written == (0 if "--dry-run" in args else len(rows))


@pytest.mark.parametrize("example", range(len(case_csv_examples())))
def test_each_readme_case_csv_uploads_on_the_imports_page(client, auth, app_ctx, tmp_path, example):
    app_ctx.config["IMPORT_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    auth.login(make_user("qa_admin"))
    csv_text = case_csv_examples()[example]
    response = client.post(
        "/imports/new",
        data={
            "files": [(io.BytesIO(csv_text.encode()), CASE_CSV)],
            "as_of": ["31", "3", "2026"],
            "format": "",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "this looks like" not in preview and "cannot be imported" not in preview
    upload = db.session.scalar(select(ImportUpload))
    assert client.post(f"/imports/uploads/{upload.id}/confirm").status_code == 302
    record = db.session.scalar(select(Import))
    assert (record.format, record.open_cases) == ("csv", len(csv_text.strip().splitlines()) - 1)
