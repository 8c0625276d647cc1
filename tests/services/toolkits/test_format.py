"""Reading toolkit YAML: the shipped toolkits are valid, and each kind of bad file is explained."""

import pytest

from qa_app.models.toolkit_definition import REPORTED_COMPLIANCE, content_hash
from qa_app.models.vocab import COHORTS
from qa_app.services.toolkits.format import MAX_BYTES, ToolkitInvalid, parse_toolkit
from tests.support.toolkit_docs import SHIPPED, minimal_doc, section, to_yaml


def problems_of(text: str | bytes, source: str = "kit.yaml") -> list[str]:
    with pytest.raises(ToolkitInvalid) as caught:
        parse_toolkit(text, source)
    assert caught.value.source == source
    return [p.describe(source) for p in caught.value.problems]


# --- the shipped toolkits ---


def test_three_toolkits_ship_and_together_cover_every_cohort_once():
    definitions = [parse_toolkit(path.read_bytes(), path.name) for path in SHIPPED]
    assert {d.key for d in definitions} == {"front_door_assessment", "cin_cp", "children_in_care"}
    cohorts = [c for d in definitions for c in d.cohorts]
    assert sorted(cohorts) == sorted(COHORTS)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_toolkit_is_complete(path):
    definition = parse_toolkit(path.read_bytes(), path.name)
    assert definition.lookback.months == 12 and definition.lookback.judged_on_months == 6
    assert definition.grading.limiting_judgement and definition.grading.max_grades_above_worst == 1
    assert definition.safety_critical_sections, "limiting judgements need safety-critical sections"
    for section_ in definition.sections:
        assert section_.guidance and section_.prompts, section_.key
        texts = [d.text for d in section_.descriptors]
        assert len(set(texts)) == 4 and all(len(t) >= 140 for t in texts), section_.key
    keys = {q.key for q in definition.compliance}
    assert set(REPORTED_COMPLIANCE) <= keys
    assert {"genogram_on_file", "oversight_at_key_decisions", "plan_reviewed_in_timescale"} <= keys


def test_the_sections_the_issue_names_are_there():
    by_key = {d.key: d for d in (parse_toolkit(p.read_bytes(), p.name) for p in SHIPPED)}
    front_door = [s.title for s in by_key["front_door_assessment"].sections]
    assert front_door[0] == "Threshold decision and timeliness" and "Outcome" in front_door
    cin_cp = by_key["cin_cp"]
    assert cin_cp.section("strategy_discussions").may_be_not_applicable
    assert cin_cp.section("statutory_visits").safety_critical
    care = {s.key for s in by_key["children_in_care"].sections}
    assert {
        "permanence",
        "placement_stability",
        "health_education",
        "iro_oversight",
        "pathway_plan",
        "personal_adviser",
        "accommodation_eet",
    } <= care


def test_layout_and_comments_do_not_change_the_content_hash():
    doc = minimal_doc()
    plain = parse_toolkit(to_yaml(doc), "a.yaml")
    commented = parse_toolkit("# a comment\n" + to_yaml(doc).replace("\n", "  \n"), "b.yaml")
    assert plain.content_hash == commented.content_hash == content_hash(plain.raw)
    reworded = minimal_doc(description="Different words.")
    assert parse_toolkit(to_yaml(reworded), "c.yaml").content_hash != plain.content_hash


def test_windows_line_endings_and_a_byte_order_mark_are_accepted():
    text = to_yaml(minimal_doc()).replace("\n", "\r\n")
    assert parse_toolkit(b"\xef\xbb\xbf" + text.encode(), "win.yaml").key == "test_toolkit"


# --- bad files: each problem names the file, the line, the place and what is wrong ---


def test_invalid_yaml_gives_the_line():
    (problem,) = problems_of("key: x\nname: [unclosed\n")
    assert problem.startswith("kit.yaml, line 3: not valid YAML: ")
    assert "expected ',' or ']'" in problem


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "kit.yaml: the file is empty"),
        (b"   \n# only a comment\n", "kit.yaml: the file is empty"),
        (b"\xff\xfekey", "kit.yaml: the file is not UTF-8 text (byte 0)"),
        (b"- a\n- b\n", "kit.yaml, line 1: the document must be a mapping of fields"),
        (b"x" * (MAX_BYTES + 1), "kit.yaml: the file is larger than 512 KB"),
    ],
)
def test_files_that_are_not_toolkits_at_all(data, message):
    (problem,) = problems_of(data)
    assert problem.startswith(message)


def test_a_missing_field_names_the_section_and_its_line():
    doc = minimal_doc()
    del doc["sections"][1]["descriptors"]["good"]
    text = to_yaml(doc)
    line = text.splitlines().index("- key: planning") + 1
    descriptors_line = next(
        n for n, t in enumerate(text.splitlines(), 1) if n > line and "descriptors:" in t
    )
    assert problems_of(text) == [
        f"kit.yaml, line {descriptors_line + 1}: sections[planning].descriptors: "
        f"the field 'good' is missing"
    ]


def test_an_unknown_field_suggests_the_right_one():
    doc = minimal_doc()
    doc["sections"][0]["safety_critcal"] = doc["sections"][0].pop("safety_critical")
    found = problems_of(to_yaml(doc))
    assert any(
        "sections[assessment]: unknown field 'safety_critcal' (did you mean 'safety_critical'?)"
        in p
        for p in found
    )
    assert any("sections[assessment]: the field 'safety_critical' is missing" in p for p in found)


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            lambda d: d.update(version="2"),
            "version",
            "must be a whole number, not text",
        ),
        (
            lambda d: d.update(version=1.5),
            "version",
            "must be a whole number, not a decimal number",
        ),
        (
            lambda d: d.update(cohorts=["cin", "looked_after"]),
            "cohorts[#2]",
            "'looked_after' is not allowed here; use one of: assessment, cin, cp, cla, "
            "short_breaks, care_leaver",
        ),
        (lambda d: d.update(cohorts=["cin", "cin"]), "cohorts", "lists cin more than once"),
        (lambda d: d.update(cohorts=[]), "cohorts", "needs at least 1 item(s)"),
        (lambda d: d.update(format=2), "format", "must be 1 (found 2)"),
        (
            lambda d: d["sections"][0].update(key="Assessment Quality"),
            "sections[#1].key",
            "must be a key of 2 to 40 lower-case letters, digits and underscores, starting "
            "with a letter (found 'Assessment Quality')",
        ),
        (
            lambda d: d["sections"][1]["descriptors"].update(inadequate="TBC"),
            "sections[planning].descriptors.inadequate",
            "is too short to tell auditors what this grade looks like (write at least 40 "
            "characters) (found 'TBC')",
        ),
        (
            lambda d: d["sections"][1].update(safety_critical="yes please"),
            "sections[planning].safety_critical",
            "must be true or false, not text",
        ),
        (
            lambda d: d["grading"].update(median_tie_break="round"),
            "grading.median_tie_break",
            "'round' is not allowed here; use one of: worse, better",
        ),
        (
            lambda d: d["grading"].update(max_grades_above_worst=4),
            "grading.max_grades_above_worst",
            "must be at most 3",
        ),
        (
            lambda d: d["compliance"][0].update(text=""),
            "compliance[chronology_up_to_date].text",
            "must be at least 10 characters",
        ),
    ],
)
def test_schema_problems_are_explained_in_plain_words(change, where, message):
    doc = minimal_doc()
    change(doc)
    found = problems_of(to_yaml(doc))
    assert any(p.endswith(f": {where}: {message}") for p in found), found
    assert all(p.startswith("kit.yaml, line ") for p in found)


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            lambda d: d["sections"].append(section("planning")),
            "sections[planning].key",
            "the key 'planning' is already used by section 2",
        ),
        (
            lambda d: d["compliance"].append(dict(d["compliance"][0])),
            "compliance[chronology_up_to_date].key",
            "the key 'chronology_up_to_date' is already used by question 1",
        ),
        (
            lambda d: d.update(lookback={"months": 6, "judged_on_months": 12}),
            "lookback.judged_on_months",
            "cannot be longer than the look-back (6 months)",
        ),
        (
            lambda d: [s.update(safety_critical=False) for s in d["sections"]],
            "grading.limiting_judgement",
            "is true, but no section is marked safety_critical",
        ),
        (
            lambda d: d["sections"][2].pop("not_applicable_when"),
            "sections[strategy_discussions]",
            "may_be_not_applicable is true: say when the section does not apply",
        ),
        (
            lambda d: d["sections"][1].update(not_applicable_when="Never, really."),
            "sections[planning].not_applicable_when",
            "is set, but may_be_not_applicable is not true",
        ),
        (
            lambda d: d.update(compliance=d["compliance"][1:]),
            "compliance",
            "the question 'chronology_up_to_date' is missing: the monthly report needs it",
        ),
    ],
)
def test_rules_beyond_the_schema(change, where, message):
    doc = minimal_doc()
    change(doc)
    found = problems_of(to_yaml(doc))
    assert any(f": {where}: {message}" in p for p in found), found


def test_duplicate_yaml_keys_are_refused_not_silently_overwritten():
    text = to_yaml(minimal_doc()) + "name: Another name\n"
    (problem,) = problems_of(text)
    first = text.splitlines().index("name: Test toolkit") + 1
    last = len(text.splitlines())
    assert (
        problem == f"kit.yaml, line {last}: the field 'name' appears twice (first on line {first})"
    )


def test_anchors_and_aliases_are_refused():
    text = to_yaml(minimal_doc()).replace("description: A toolkit for tests.", "description: &d x")
    text += "extra: *d\n"
    found = problems_of(text)
    assert any("extra: anchors and aliases (&name, *name) are not supported" in p for p in found)


def test_every_problem_is_reported_at_once():
    doc = minimal_doc(version=0, cohorts=["nope"])
    doc["sections"][0]["descriptors"].pop("outstanding")
    assert len(problems_of(to_yaml(doc))) == 3
