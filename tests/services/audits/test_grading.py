"""The suggested overall grade: properties of the rules, worked examples, and answer checks."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_app.models.toolkit_definition import GradingRules, ToolkitDefinition
from qa_app.services.audits.grading import (
    AuditAnswers,
    GradedSection,
    SectionAnswer,
    check_answers,
    describe_rules,
    median_grade,
    suggest_for_answers,
    suggest_for_toolkit,
    suggest_grade,
)
from tests.support.toolkit_docs import minimal_doc

DEFAULT = GradingRules()

grades = st.integers(min_value=1, max_value=4)
sections = st.lists(
    st.builds(
        GradedSection,
        key=st.sampled_from(["a", "b", "c", "d", "e"]),
        title=st.just("Section"),
        grade=grades | st.none(),
        safety_critical=st.booleans(),
    ),
    min_size=1,
    max_size=12,
)
rules = st.builds(
    GradingRules,
    limiting_judgement=st.booleans(),
    max_grades_above_worst=st.integers(min_value=0, max_value=3),
    median_tie_break=st.sampled_from(["worse", "better"]),
)


def graded(values, critical=()):
    return [GradedSection(f"s{i}", f"Section {i}", g, i in critical) for i, g in enumerate(values)]


# --- properties ---


@given(sections, rules)
def test_never_better_than_the_worst_section_plus_the_allowance(secs, rule):
    suggestion = suggest_grade(secs, rule)
    counted = [s.grade for s in secs if s.grade is not None]
    if not counted:
        assert suggestion.grade is None and suggestion.rule == "no_grades"
        return
    assert suggestion.grade >= max(counted) - rule.max_grades_above_worst
    assert min(counted) <= suggestion.grade <= max(counted)


@given(sections, rules)
def test_an_inadequate_safety_critical_section_makes_the_audit_inadequate(secs, rule):
    rule = replace(rule, limiting_judgement=True)
    secs = [*secs, GradedSection("critical", "Critical", 4, safety_critical=True)]
    suggestion = suggest_grade(secs, rule)
    assert suggestion.grade == 4 and suggestion.rule == "limiting_judgement"
    assert "'Critical'" in suggestion.explanation


@given(grades, st.integers(min_value=1, max_value=12), rules, st.data())
def test_all_sections_equal_gives_that_grade(grade, count, rule, data):
    critical = data.draw(st.sets(st.integers(0, count - 1)))
    suggestion = suggest_grade(graded([grade] * count, critical), rule)
    assert suggestion.grade == grade


@given(sections, rules, st.data())
def test_worsening_a_section_never_improves_the_suggestion(secs, rule, data):
    gradeable = [i for i, s in enumerate(secs) if s.grade is not None and s.grade < 4]
    if not gradeable:
        return
    index = data.draw(st.sampled_from(gradeable))
    worse = data.draw(st.integers(min_value=secs[index].grade + 1, max_value=4))
    changed = [*secs]
    changed[index] = replace(secs[index], grade=worse)
    assert suggest_grade(changed, rule).grade >= suggest_grade(secs, rule).grade


@given(sections, rules, st.randoms(use_true_random=False))
def test_order_of_sections_does_not_matter(secs, rule, rnd):
    shuffled = [*secs]
    rnd.shuffle(shuffled)
    assert suggest_grade(shuffled, rule).grade == suggest_grade(secs, rule).grade


@given(sections, rules, st.integers(min_value=1, max_value=5))
def test_not_applicable_sections_are_ignored(secs, rule, extra):
    padded = [*secs, *(GradedSection(f"na{i}", "N/A", None, True) for i in range(extra))]
    before, after = suggest_grade(secs, rule), suggest_grade(padded, rule)
    assert after.grade == before.grade
    assert after.not_counted == before.not_counted + extra


@given(sections, rules)
def test_the_cautious_tie_break_is_never_more_generous(secs, rule):
    worse = suggest_grade(secs, replace(rule, median_tie_break="worse")).grade
    better = suggest_grade(secs, replace(rule, median_tie_break="better")).grade
    if worse is not None:
        assert worse >= better


@given(sections, rules)
def test_without_limiting_or_cap_the_suggestion_is_the_median(secs, rule):
    rule = replace(rule, limiting_judgement=False, max_grades_above_worst=3)
    counted = [s.grade for s in secs if s.grade is not None]
    if counted:
        assert suggest_grade(secs, rule).grade == median_grade(counted, rule.median_tie_break)


# --- worked examples, as an auditor would see them ---


@pytest.mark.parametrize(
    ("values", "critical", "grade", "rule"),
    [
        ([2, 2, 2, 3, 3], (), 2, "median"),
        ([2, 2, 3, 3], (), 3, "median"),  # even count, middles Good and RI: the worse
        ([1, 1, 1, 1, 4], (), 3, "worst_cap"),  # median Outstanding, but worst Inadequate
        ([1, 1, 1, 3], (), 2, "worst_cap"),
        ([2, 2, 2, 4], (3,), 4, "limiting_judgement"),
        ([2, 2, 2, 4], (0,), 3, "worst_cap"),  # inadequate, but not a safety-critical section
        ([3, None, None], (), 3, "median"),
    ],
)
def test_worked_examples(values, critical, grade, rule):
    suggestion = suggest_grade(graded(values, critical), DEFAULT)
    assert (suggestion.grade, suggestion.rule) == (grade, rule)


def test_explanations_say_which_rule_decided():
    median = suggest_grade(graded([2, 2, 3, None]), DEFAULT)
    assert median.explanation == (
        "Good: the middle (median) grade of the 3 graded sections is Good. "
        "1 section is not applicable or not graded and not counted."
    )
    tie = suggest_grade(graded([2, 3]), DEFAULT)
    assert tie.explanation == (
        "Requires improvement to be good: the two middle grades of the 2 graded sections are "
        "Good and Requires improvement to be good, and the worse of the two is taken, the "
        "cautious choice."
    )
    cap = suggest_grade([GradedSection("a", "Planning", 4), *graded([1, 1, 1, 1])], DEFAULT)
    assert cap.explanation.startswith(
        "Requires improvement to be good: the middle (median) grade of the 5 graded sections is "
        "Outstanding, but the overall grade can be at most one grade better than the worst "
        "section, 'Planning' (Inadequate)."
    )
    limiting = suggest_grade(
        [
            GradedSection("v", "Statutory visits", 4, True),
            GradedSection("a", "Assessment", 4, True),
            GradedSection("r", "Recording", 1),
        ],
        DEFAULT,
    )
    assert limiting.explanation.startswith(
        "Inadequate: 'Statutory visits' and 'Assessment' are safety-critical sections graded "
        "Inadequate"
    )


def test_a_grade_outside_the_scale_is_a_programming_error():
    with pytest.raises(ValueError, match="5 is not a grade"):
        suggest_grade(graded([2, 5]), DEFAULT)


def test_describe_rules_matches_the_rules():
    lines = describe_rules(GradingRules(max_grades_above_worst=2, median_tie_break="better"))
    assert "at most two grades better than the worst graded section" in lines[1]
    assert "the better of the two is taken" in lines[2]
    assert not any("limiting" in line for line in describe_rules(GradingRules(False, 1, "worse")))


# --- with a toolkit, and checking a completed audit ---


@pytest.fixture
def toolkit():
    return ToolkitDefinition.from_dict(minimal_doc())


def complete(**changes) -> AuditAnswers:
    base = AuditAnswers(
        sections={
            "assessment": SectionAnswer(grade=2, evidence="Thorough and current."),
            "planning": SectionAnswer(grade=3, evidence="No contingency."),
            "strategy_discussions": SectionAnswer(
                not_applicable=True, not_applicable_reason="No significant harm suspected."
            ),
        },
        compliance={
            "chronology_up_to_date": "yes",
            "supervision_last_month": "no",
            "visits_in_timescale": "yes",
            "seen_alone_last_visit": "not_applicable",
        },
        overall_grade=3,
        overall_rationale="Planning needs to improve.",
    )
    return replace(base, **changes)


def test_the_toolkit_decides_which_sections_are_safety_critical(toolkit):
    assert suggest_for_toolkit(toolkit, {"assessment": 4, "planning": 1}).grade == 4
    not_critical = {"assessment": 1, "planning": 4, "strategy_discussions": 1}
    assert suggest_for_toolkit(toolkit, not_critical).grade == 3


def test_a_complete_audit_has_no_problems(toolkit):
    answers = complete()
    assert suggest_for_answers(toolkit, answers).grade == 3  # Good and RI: the worse
    assert check_answers(toolkit, answers) == []


def test_every_missing_item_is_listed_in_form_order(toolkit):
    answers = AuditAnswers(
        sections={
            "assessment": SectionAnswer(grade=2, evidence="   "),
            "strategy_discussions": SectionAnswer(not_applicable=True),
        },
        compliance={"chronology_up_to_date": "yes", "visits_in_timescale": "maybe"},
    )
    assert [(p.field, p.message) for p in check_answers(toolkit, answers)] == [
        ("sections.assessment.evidence", "Enter the evidence for the grade given to 'Assessment'"),
        ("sections.planning.grade", "Select a grade for 'Planning'"),
        (
            "sections.strategy_discussions.not_applicable_reason",
            "Enter why 'Strategy discussions' does not apply to this case",
        ),
        (
            "compliance.supervision_last_month",
            "Select yes or no or not applicable: Question about % with supervision recorded "
            "in the last month?",
        ),
        (
            "compliance.visits_in_timescale",
            "Answer with yes or no or not applicable: Question about % with statutory visits "
            "in timescale?",
        ),
        (
            "compliance.seen_alone_last_visit",
            "Select yes or no or not applicable: Question about % where the child was seen alone?",
        ),
        ("overall_grade", "Select an overall grade"),
        ("overall_rationale", "Enter the rationale for the overall grade"),
    ]


def test_not_applicable_only_where_the_toolkit_allows_it(toolkit):
    answers = complete(
        sections={
            **complete().sections,
            "planning": SectionAnswer(not_applicable=True, not_applicable_reason="No plan."),
        },
        overall_grade=2,
    )
    (problem,) = check_answers(toolkit, answers)
    assert problem.field == "sections.planning.grade" and problem.section == "planning"
    assert problem.message == "'Planning' cannot be marked not applicable: select a grade"


def test_graded_and_not_applicable_at_once_is_refused(toolkit):
    answers = complete(
        sections={
            **complete().sections,
            "strategy_discussions": SectionAnswer(grade=2, not_applicable=True, evidence="x"),
        }
    )
    messages = [p.message for p in check_answers(toolkit, answers)]
    assert messages == [
        "'Strategy discussions' is both graded and marked not applicable: choose one"
    ]


def test_an_overall_grade_that_differs_from_the_suggestion_needs_a_reason(toolkit):
    differs = complete(overall_grade=2)
    (problem,) = check_answers(toolkit, differs)
    assert problem.field == "difference_reason"
    assert problem.message == (
        "Enter why the overall grade (Good) differs from the suggested grade "
        "(Requires improvement to be good)"
    )
    assert check_answers(toolkit, replace(differs, difference_reason="Strong recent work.")) == []


def test_a_question_that_does_not_allow_not_applicable(toolkit):
    doc = minimal_doc()
    doc["compliance"][0]["not_applicable_allowed"] = False
    strict = ToolkitDefinition.from_dict(doc)
    answers = complete(
        compliance={**complete().compliance, "chronology_up_to_date": "not_applicable"}
    )
    (problem,) = check_answers(strict, answers)
    assert problem.field == "compliance.chronology_up_to_date"
    assert problem.message.startswith("Answer with yes or no:")


def test_all_sections_not_applicable_and_unknown_sections(toolkit):
    na = SectionAnswer(not_applicable=True, not_applicable_reason="n/a")
    answers = complete(
        sections={"assessment": na, "planning": na, "strategy_discussions": na, "old": na}
    )
    fields = [p.field for p in check_answers(toolkit, answers)]
    assert fields[0] == "sections.old"
    assert "sections" in fields
