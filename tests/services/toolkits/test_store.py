"""Loading toolkits: idempotent, versioned, all or nothing, one toolkit per cohort."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Toolkit, ToolkitVersion
from qa_app.models.toolkits import ToolkitImmutable
from qa_app.services.toolkits import store as toolkits
from qa_app.services.toolkits.diff import describe_changes
from tests.support.factories import make_toolkit_version, make_user
from tests.support.toolkit_docs import SHIPPED, minimal_doc, section, to_yaml

NOW = datetime(2026, 11, 23, 9, 0)


def load(*docs, by=None):
    return toolkits.load_toolkits(
        [(to_yaml(d), f"{d['key']}-v{d['version']}.yaml") for d in docs],
        by=by,
        now=NOW,
        via="cli",
    )


def version_count() -> int:
    return db.session.scalar(select(func.count(ToolkitVersion.id)))


def refused(*docs) -> list[str]:
    with pytest.raises(toolkits.ToolkitsRefused) as caught:
        load(*docs)
    db.session.rollback()
    return [p.describe(f.source) for f in caught.value.failures for p in f.problems]


def test_loading_the_shipped_toolkits_twice_creates_them_once(app_ctx):
    first = toolkits.load_toolkit_files(SHIPPED, by=None, now=NOW, via="cli")
    db.session.commit()
    assert [r.status for r in first] == ["created"] * 3
    again = toolkits.load_toolkit_files(SHIPPED, by=None, now=NOW, via="cli")
    assert [r.status for r in again] == ["unchanged"] * 3
    assert [r.version.id for r in again] == [r.version.id for r in first]
    assert version_count() == 3
    assert toolkits.toolkit_for_cohort("cp").toolkit.key == "cin_cp"
    assert toolkits.toolkit_for_cohort("care_leaver").toolkit.key == "children_in_care"
    assert (
        toolkits.toolkit_for_cohort("assessment").definition.section("outcome").title == "Outcome"
    )


def test_a_loaded_version_records_what_was_loaded_and_by_whom(app_ctx):
    admin = make_user("qa_admin")
    (result,) = load(minimal_doc(), by=admin)
    db.session.commit()
    version = result.version
    assert version.loaded_by_id == admin.id and version.loaded_via == "cli"
    assert version.loaded_at == NOW and version.active
    assert version.definition.key == "test_toolkit"
    assert version.source_text.startswith("format: 1")
    assert version.content_hash == version.definition.content_hash
    assert result.describe() == "created test_toolkit version 1 (Test toolkit): now active"


def test_changed_content_with_a_new_version_becomes_the_active_version(app_ctx):
    first = make_toolkit_version()
    doc = minimal_doc(version=2, name="Test toolkit (revised)")
    doc["sections"][1]["safety_critical"] = True
    (result,) = load(doc)
    db.session.commit()
    db.session.expire_all()
    assert result.status == "created" and result.replaced.id == first.id
    assert not db.session.get(ToolkitVersion, first.id).active
    assert toolkits.toolkit_for_cohort("cin").version == 2
    assert db.session.scalar(select(Toolkit.name)) == "Test toolkit (revised)"
    assert result.changes == [
        "Name changed from 'Test toolkit' to 'Test toolkit (revised)'",
        "'Planning' is now safety-critical",
    ]
    assert "replacing version 1" in result.describe()


def test_a_version_number_cannot_be_reused_for_different_content(app_ctx):
    make_toolkit_version()
    problems = refused(minimal_doc(description="Changed without a new version."))
    assert problems == [
        "test_toolkit-v1.yaml: version: version 1 of 'test_toolkit' is already loaded with "
        "different content, and loaded versions never change: give this file version 2"
    ]
    assert version_count() == 1


def test_an_older_version_number_is_refused(app_ctx):
    make_toolkit_version()
    load(minimal_doc(version=5, description="Five."))
    db.session.commit()
    problems = refused(minimal_doc(version=3, description="Three."))
    assert problems == [
        "test_toolkit-v3.yaml: version: version 3 is older than version 5, the latest loaded "
        "for 'test_toolkit': give this file version 6"
    ]
    assert version_count() == 2


def test_reloading_an_old_version_changes_nothing(app_ctx):
    make_toolkit_version()
    load(minimal_doc(version=2, description="Two."))
    db.session.commit()
    (result,) = load(minimal_doc())
    assert result.status == "unchanged" and result.version.version == 1
    assert not result.version.active
    assert toolkits.toolkit_for_cohort("cin").version == 2
    assert "already loaded, not active" in result.describe()


def test_a_cohort_belongs_to_one_toolkit(app_ctx):
    make_toolkit_version()
    other = minimal_doc(key="other_toolkit", name="Other", cohorts=["cp", "cin"])
    (problem,) = refused(other)
    assert problem == (
        "other_toolkit-v1.yaml: cohorts: 'cin' (Child in need) is already covered by the toolkit "
        "'test_toolkit' (Test toolkit, active version 1): each cohort has one toolkit; remove it "
        "there first or load both files together"
    )
    assert version_count() == 1


def test_a_cohort_can_move_between_toolkits_in_one_load(app_ctx):
    make_toolkit_version(cohorts=["cin", "cp"])
    shrunk = minimal_doc(version=2, cohorts=["cin"])
    other = minimal_doc(key="cp_toolkit", name="Child protection", cohorts=["cp"])
    results = load(shrunk, other)
    db.session.commit()
    assert [r.status for r in results] == ["created", "created"]
    assert toolkits.toolkit_for_cohort("cp").toolkit.key == "cp_toolkit"
    assert toolkits.toolkit_for_cohort("cin").version == 2


def test_one_bad_file_means_nothing_is_loaded(app_ctx):
    good = minimal_doc(key="good_toolkit")
    bad = minimal_doc(key="bad_toolkit", cohorts=["cp"], version=0)
    with pytest.raises(toolkits.ToolkitsRefused) as caught:
        load(good, bad)
    db.session.rollback()
    assert [f.source for f in caught.value.failures] == ["bad_toolkit-v0.yaml"]
    assert "version: must be at least 1" in str(caught.value)
    assert version_count() == 0


def test_the_same_toolkit_twice_in_one_load_is_refused(app_ctx):
    problems = refused(minimal_doc(), minimal_doc(version=2, cohorts=["cp"]))
    assert problems == [
        "test_toolkit-v2.yaml: key: the toolkit 'test_toolkit' is also in test_toolkit-v1.yaml: "
        "load one version"
    ]


def test_a_preview_that_no_longer_matches_is_refused(app_ctx):
    with pytest.raises(toolkits.ToolkitsRefused, match="not the one previewed"):
        toolkits.load_toolkits(
            [(to_yaml(minimal_doc()), "kit.yaml")],
            by=None,
            now=NOW,
            via="web",
            expected_hashes=["0" * 64],
        )


def test_loaded_versions_cannot_be_changed_or_deleted(app_ctx):
    version = make_toolkit_version()
    version.definition_json = {**version.definition_json, "name": "Tampered"}
    with pytest.raises(ToolkitImmutable, match="tried to change definition"):
        db.session.flush()
    db.session.rollback()
    version = db.session.get(ToolkitVersion, version.id)
    db.session.delete(version)
    with pytest.raises(ToolkitImmutable, match="never deleted"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(ToolkitVersion, version.id).name == "Test toolkit"


def test_no_toolkit_for_a_cohort_says_how_to_fix_it(app_ctx):
    make_toolkit_version()
    with pytest.raises(toolkits.NoToolkitForCohort, match=r"'cla' \(Child in our care\)"):
        toolkits.toolkit_for_cohort("cla")
    with pytest.raises(toolkits.NoToolkitForCohort, match="not a cohort"):
        toolkits.toolkit_for_cohort("adults")


def test_preview_reports_without_writing(app_ctx):
    make_toolkit_version()
    doc = minimal_doc(version=2)
    doc["sections"].append(section("recording"))
    (preview,) = toolkits.preview_toolkits([(to_yaml(doc), "kit.yaml")])
    assert preview.ok and preview.status == "new_version" and preview.active.version == 1
    assert preview.changes == ["Section added: 'Recording'"]
    assert version_count() == 1


def test_describe_changes_covers_every_kind_of_change():
    from qa_app.models.toolkit_definition import ToolkitDefinition  # noqa: PLC0415

    old = ToolkitDefinition.from_dict(minimal_doc())
    doc = minimal_doc(
        version=2, cohorts=["cin", "cp"], lookback={"months": 12, "judged_on_months": 3}
    )
    doc["grading"]["median_tie_break"] = "better"
    doc["sections"] = [doc["sections"][1], doc["sections"][0]]  # reorder, drop one
    doc["sections"][0]["title"] = "Planning and review"
    doc["sections"][0]["descriptors"]["good"] = "A different description of good planning work."
    doc["sections"][1]["guidance"] = "Other guidance."
    doc["compliance"][0]["text"] = "Is the chronology current and used?"
    doc["compliance"].pop()
    changes = describe_changes(old, ToolkitDefinition.from_dict(doc))
    assert changes == [
        "Now used for: Child protection",
        "Grading rules changed: an even median now takes the better grade",
        "Look-back changed from 12 months (judged on the last 6) to 12 months (judged on the "
        "last 3)",
        "Section removed: 'Strategy discussions'",
        "Section 'Planning' renamed 'Planning and review'",
        "'Planning and review': Good descriptor reworded",
        "'Assessment': guidance reworded",
        "Sections reordered",
        "Compliance question reworded: 'Is the chronology current and used?'",
        "Compliance question removed: 'Question about % where the child was seen alone?'",
    ]
    same = ToolkitDefinition.from_dict(minimal_doc(version=2))
    assert describe_changes(old, same) == ["No change other than the version number (1 to 2)"]
