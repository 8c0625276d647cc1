"""scripts/lib.sh, which scripts/dev and scripts/test share."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIP_OUTPUT = """Obtaining file:///work/casefile
Collecting flask==3.1.0 (from casefile-qa==0.1)
  Downloading flask-3.1.0-py3-none-any.whl (102 kB)
Collecting rq==3.0.0 (from casefile-qa==0.1)
  Downloading rq-3.0.0-py3-none-any.whl (110 kB)
Building wheels for collected packages: casefile-qa
  Building editable for casefile-qa (pyproject.toml): started
  Building editable for casefile-qa (pyproject.toml): finished with status 'done'
Installing collected packages: rq, flask, casefile-qa
Successfully installed casefile-qa-0.1 flask-3.1.0 rq-3.0.0
"""


def test_ensure_venv_shows_pips_progress_with_elapsed_time(tmp_path):
    """The first `bash scripts/dev` spends a minute in pip: each step is shown as it happens."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    # A stand-in for the venv's python that answers `-m pip install` as pip does.
    fake = venv / "bin" / "python"
    fake.write_text(f"#!/usr/bin/env bash\ncat <<'PIP'\n{PIP_OUTPUT}PIP\n")
    fake.chmod(0o755)
    result = subprocess.run(
        ["bash", "-c", f'source scripts/lib.sh; VENV="{venv}"; PY="$VENV/bin/python"; ensure_venv'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [line.strip() for line in result.stderr.splitlines()]
    progress = [line for line in lines if re.match(r"\[\s*\d+s\] ", line)]
    assert [re.sub(r"^\[\s*\d+s\] ", "", line) for line in progress] == [
        "collecting packages: 1 so far (flask==3.1.0)",
        "Building editable for casefile-qa (pyproject.toml)",
        "installing 3 packages",
        "done",
    ]
    assert (venv / ".installed").exists()


def test_a_failed_pip_install_stops_the_script(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "python"
    fake.write_text("#!/usr/bin/env bash\necho 'Collecting flask==3.1.0'\nexit 1\n")
    fake.chmod(0o755)
    result = subprocess.run(
        ["bash", "-c", f'source scripts/lib.sh; VENV="{venv}"; PY="$VENV/bin/python"; ensure_venv'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1 and "error: pip install failed" in result.stderr
    assert not (venv / ".installed").exists()
