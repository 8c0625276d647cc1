"""`qa toolkits check | load | list`, and the demo council's toolkits."""

from datetime import date, datetime

from sqlalchemy import func, select

from qa_app.demo import seed_demo
from qa_app.extensions import db
from qa_app.models import ToolkitVersion
from qa_app.services.toolkits import store as toolkits
from tests.support.toolkit_docs import SHIPPED, minimal_doc, to_yaml


def version_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(ToolkitVersion.id)))


def test_check_prints_a_summary_of_a_valid_file(runner, app_ctx):
    result = runner.invoke(args=["toolkits", "check", *map(str, SHIPPED)])
    assert result.exit_code == 0, result.output
    assert (
        "cin_cp.yaml: valid: cin_cp version 1 (Child in need and child protection); "
        "10 sections, 4 safety-critical; 7 compliance questions; cohorts cin, cp, short_breaks"
    ) in result.output
    assert version_count() == 0  # checking loads nothing


def test_check_prints_precise_errors_and_exits_2(runner, app_ctx, tmp_path):
    doc = minimal_doc(version="one")
    doc["sections"][0]["descriptors"]["good"] = "Fine."
    bad = tmp_path / "bad.yaml"
    bad.write_text(to_yaml(doc))
    good = tmp_path / "good.yaml"
    good.write_text(to_yaml(minimal_doc()))
    result = runner.invoke(args=["toolkits", "check", str(good), str(bad)])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0].startswith("good.yaml: valid: test_toolkit version 1")
    assert "bad.yaml, line 4: version: must be a whole number, not text" in lines
    assert any(
        line.startswith("bad.yaml, line ")
        and ": sections[assessment].descriptors.good: is too short" in line
        for line in lines
    )
    assert lines[-1] == "bad.yaml: invalid (2 problem(s))"


def test_load_defaults_to_the_shipped_toolkits_and_is_idempotent(runner, app_ctx):
    first = runner.invoke(args=["toolkits", "load"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [
        "created children_in_care version 1 (Children in our care and care leavers): now active",
        "created cin_cp version 1 (Child in need and child protection): now active",
        "created front_door_assessment version 1 (Front door and assessment): now active",
    ]
    second = runner.invoke(args=["toolkits", "load"])
    assert second.exit_code == 0
    assert all(line.startswith("unchanged ") for line in second.output.splitlines())
    assert version_count() == 3


def test_load_of_a_new_version_prints_what_changed(runner, app_ctx, tmp_path):
    path = tmp_path / "kit.yaml"
    path.write_text(to_yaml(minimal_doc()))
    assert runner.invoke(args=["toolkits", "load", str(path)]).exit_code == 0
    path.write_text(to_yaml(minimal_doc(version=2, name="Renamed")))
    result = runner.invoke(args=["toolkits", "load", str(path)])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "created test_toolkit version 2 (Renamed): now active, replacing version 1",
        "  - Name changed from 'Test toolkit' to 'Renamed'",
    ]


def test_load_refuses_all_files_when_one_is_invalid(runner, app_ctx, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(to_yaml(minimal_doc()))
    bad = tmp_path / "bad.yaml"
    bad.write_text(to_yaml(minimal_doc(key="other", cohorts=["cin"])))
    result = runner.invoke(args=["toolkits", "load", str(good), str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml: cohorts: 'cin' (Child in need) is already covered by the toolkit " in (
        result.output
    )
    assert result.output.rstrip().endswith("Nothing was loaded.")
    assert version_count() == 0


def test_list_shows_versions_and_warns_about_uncovered_cohorts(runner, app_ctx, tmp_path):
    assert runner.invoke(args=["toolkits", "list"]).output == (
        "No toolkits loaded: run `qa toolkits load`.\n"
    )
    path = tmp_path / "kit.yaml"
    path.write_text(to_yaml(minimal_doc()))
    runner.invoke(args=["toolkits", "load", str(path)])
    path.write_text(to_yaml(minimal_doc(version=2, description="Two.")))
    runner.invoke(args=["toolkits", "load", str(path)])
    lines = runner.invoke(args=["toolkits", "list"]).output.splitlines()
    assert lines[0] == "test_toolkit: Test toolkit"
    assert lines[1].startswith("  active version 2  loaded ")
    assert lines[2].startswith("         version 1  loaded ")
    assert "via cli from kit.yaml  cohorts: Child in need" in lines[2]
    assert lines[3].startswith("Warning: no active toolkit for Assessment, Child protection")


def test_the_demo_council_comes_with_the_shipped_toolkits(app_ctx):
    seed_demo(cases=100, seed=1, today=date(2026, 11, 23), now=datetime(2026, 11, 23, 9))
    db.session.commit()
    assert toolkits.toolkit_for_cohort("short_breaks").toolkit.key == "cin_cp"
    assert {v.loaded_via for v in db.session.scalars(select(ToolkitVersion))} == {"demo"}
