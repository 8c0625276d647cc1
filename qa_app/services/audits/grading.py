"""Grading: the suggested overall grade, and the checks on a completed audit. Pure functions.

Grades are Ofsted's four-point scale (``vocab.GRADES``): 1 Outstanding, 2 Good, 3 Requires
improvement to be good, 4 Inadequate. A *higher* code is a *worse* grade.

The suggested overall grade follows the toolkit's ``GradingRules``, in this order:

1. **Limiting judgement.** If any safety-critical section is graded Inadequate, the suggestion
   is Inadequate.
2. **Median.** Otherwise start from the median of the graded sections. With an even number of
   graded sections whose two middle grades differ, the rules' ``median_tie_break`` decides:
   ``"worse"`` (the default, the cautious choice) takes the worse of the two, ``"better"`` the
   better. Sections marked not applicable, or not yet graded, are left out entirely: they
   neither count towards the median nor make the worst grade.
3. **At most N better than the worst.** The suggestion is never more than
   ``max_grades_above_worst`` (default 1) grades better than the worst graded section; a median
   that is better than that is lowered to it.

The auditor sets the overall grade; the suggestion and its explanation are shown beside it, and a
reason is required when the two differ (``check_answers``).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from qa_app.models.toolkit_definition import (
    INADEQUATE,
    GradingRules,
    ToolkitDefinition,
)
from qa_app.models.vocab import GRADES

__all__ = [
    "AnswerProblem",
    "AuditAnswers",
    "GradedSection",
    "SectionAnswer",
    "Suggestion",
    "check_answers",
    "describe_rules",
    "median_grade",
    "suggest_for_answers",
    "suggest_for_toolkit",
    "suggest_grade",
]

_WORDS = {0: "no", 1: "one", 2: "two", 3: "three"}


@dataclass(frozen=True)
class GradedSection:
    """A section's grade as the suggestion sees it; ``grade`` None means not counted."""

    key: str
    title: str
    grade: int | None
    safety_critical: bool = False


@dataclass(frozen=True)
class Suggestion:
    """The suggested overall grade and which rule decided it, in words the auditor reads."""

    grade: int | None  # None when no section is graded yet
    rule: str  # "limiting_judgement" | "worst_cap" | "median" | "no_grades"
    explanation: str
    median: int | None = None
    worst: int | None = None
    counted: int = 0
    not_counted: int = 0

    @property
    def label(self) -> str:
        return GRADES.get(self.grade, "") if self.grade else ""


def median_grade(grades: Sequence[int], tie_break: str = "worse") -> int:
    """The median of *grades*; between two different middle grades, the worse or the better."""
    if not grades:
        raise ValueError("the median of no grades is undefined")
    ordered = sorted(grades)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    better, worse = ordered[middle - 1], ordered[middle]
    return worse if tie_break == "worse" else better


def suggest_grade(sections: Iterable[GradedSection], rules: GradingRules) -> Suggestion:
    """The suggested overall grade for *sections* under *rules* (see the module docstring)."""
    sections = list(sections)
    graded = [s for s in sections if s.grade is not None]
    for section in graded:
        if section.grade not in GRADES:
            raise ValueError(f"{section.key}: {section.grade!r} is not a grade (1 to 4)")
    not_counted = len(sections) - len(graded)
    if not graded:
        return Suggestion(
            None,
            "no_grades",
            "No section is graded yet, so there is no suggested grade.",
            not_counted=not_counted,
        )
    grades = [s.grade for s in graded]
    worst = max(grades)
    median = median_grade(grades, rules.median_tie_break)
    facts = {"median": median, "worst": worst, "counted": len(graded), "not_counted": not_counted}
    footnote = _not_counted_note(not_counted)

    limiting = [s for s in graded if s.safety_critical and s.grade == INADEQUATE]
    if rules.limiting_judgement and limiting:
        names = _names(limiting)
        verb = (
            "is a safety-critical section" if len(limiting) == 1 else "are safety-critical sections"
        )
        return Suggestion(
            INADEQUATE,
            "limiting_judgement",
            f"{GRADES[INADEQUATE]}: {names} {verb} graded {GRADES[INADEQUATE]}, and an "
            f"inadequate safety-critical section makes the whole audit inadequate (limiting "
            f"judgement).{footnote}",
            **facts,
        )

    median_words = _median_words(grades, median, rules.median_tie_break)
    floor = worst - rules.max_grades_above_worst
    if median < floor:
        worst_sections = [s for s in graded if s.grade == worst]
        steps = _WORDS.get(rules.max_grades_above_worst, str(rules.max_grades_above_worst))
        plural = "" if rules.max_grades_above_worst == 1 else "s"
        return Suggestion(
            floor,
            "worst_cap",
            f"{GRADES[floor]}: {median_words}, but the overall grade can be at most {steps} "
            f"grade{plural} better than the worst section, {_names(worst_sections)} "
            f"({GRADES[worst]}).{footnote}",
            **facts,
        )
    return Suggestion(median, "median", f"{GRADES[median]}: {median_words}.{footnote}", **facts)


def _median_words(grades: list[int], median: int, tie_break: str) -> str:
    ordered = sorted(grades)
    count = f"{len(grades)} graded section{'s' if len(grades) != 1 else ''}"
    if len(ordered) % 2 == 0 and ordered[len(ordered) // 2 - 1] != ordered[len(ordered) // 2]:
        better, worse = ordered[len(ordered) // 2 - 1], ordered[len(ordered) // 2]
        choice = (
            "the worse of the two is taken, the cautious choice"
            if tie_break == "worse"
            else ("the better of the two is taken")
        )
        return (
            f"the two middle grades of the {count} are {GRADES[better]} and {GRADES[worse]}, "
            f"and {choice}"
        )
    return f"the middle (median) grade of the {count} is {GRADES[median]}"


def _not_counted_note(count: int) -> str:
    if not count:
        return ""
    noun = "section is" if count == 1 else "sections are"
    return f" {count} {noun} not applicable or not graded and not counted."


def _names(sections: Sequence[GradedSection]) -> str:
    titles = [f"'{s.title}'" for s in sections]
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]


def suggest_for_toolkit(toolkit: ToolkitDefinition, grades: Mapping[str, int | None]) -> Suggestion:
    """The suggestion for section grades by section key (missing or None = not counted)."""
    return suggest_grade(
        (
            GradedSection(s.key, s.title, grades.get(s.key), s.safety_critical)
            for s in toolkit.sections
        ),
        toolkit.grading,
    )


def describe_rules(rules: GradingRules) -> list[str]:
    """The rules in plain English, for the toolkit page and beside the suggested grade."""
    lines = []
    if rules.limiting_judgement:
        lines.append(
            "If any safety-critical section is graded Inadequate, the suggested overall grade is "
            "Inadequate (limiting judgement)."
        )
    steps = _WORDS.get(rules.max_grades_above_worst, str(rules.max_grades_above_worst))
    if rules.max_grades_above_worst == 0:
        lines.append("The overall grade is never better than the worst graded section.")
    else:
        plural = "" if rules.max_grades_above_worst == 1 else "s"
        lines.append(
            f"The overall grade can be at most {steps} grade{plural} better than the worst "
            f"graded section."
        )
    tie = "worse (the cautious choice)" if rules.median_tie_break == "worse" else "better"
    lines.append(
        "Otherwise the suggestion is the middle (median) grade of the graded sections; with an "
        f"even number of sections and two different middle grades, the {tie} of the two is taken."
    )
    lines.append("Sections marked not applicable are not counted.")
    return lines


# --- checking a completed audit ---


@dataclass(frozen=True)
class SectionAnswer:
    grade: int | None = None
    not_applicable: bool = False
    evidence: str = ""
    not_applicable_reason: str = ""


@dataclass(frozen=True)
class AuditAnswers:
    """What the auditor entered, keyed by the toolkit's section and question keys."""

    sections: Mapping[str, SectionAnswer] = field(default_factory=dict)
    compliance: Mapping[str, str | None] = field(default_factory=dict)
    overall_grade: int | None = None
    overall_rationale: str = ""
    difference_reason: str = ""


@dataclass(frozen=True)
class AnswerProblem:
    """One missing or invalid answer, for the "check your answers" page.

    ``field`` is a stable path: ``sections.<key>.grade``, ``sections.<key>.evidence``,
    ``sections.<key>.not_applicable_reason``, ``compliance.<key>``, ``overall_grade``,
    ``overall_rationale`` or ``difference_reason``; ``section`` is the section key, if any.
    """

    field: str
    message: str
    section: str | None = None


def suggest_for_answers(toolkit: ToolkitDefinition, answers: AuditAnswers) -> Suggestion:
    """The suggestion from the sections the auditor graded (not applicable ones left out)."""
    return suggest_for_toolkit(
        toolkit,
        {
            key: answer.grade
            for key, answer in answers.sections.items()
            if not answer.not_applicable and answer.grade in GRADES
        },
    )


def check_answers(toolkit: ToolkitDefinition, answers: AuditAnswers) -> list[AnswerProblem]:
    """Every missing or invalid answer, in the order of the form; empty when it can be submitted.

    Each applicable section needs a grade and evidence commentary; a section marked not
    applicable (only where the toolkit allows it) needs a reason; every compliance question needs
    an allowed answer; the overall grade needs a rationale, and a reason when it differs from the
    suggested grade.
    """
    problems: list[AnswerProblem] = []
    for key in answers.sections:
        if key not in {s.key for s in toolkit.sections}:
            problems.append(
                AnswerProblem(
                    f"sections.{key}",
                    f"There is an answer for a section ('{key}') that is not in version "
                    f"{toolkit.version} of {toolkit.name}",
                    key,
                )
            )
    for section in toolkit.sections:
        problems.extend(_section_problems(section, answers.sections.get(section.key)))
    for question in toolkit.compliance:
        answer = answers.compliance.get(question.key)
        if answer not in question.answers:
            options = " or ".join(label.lower() for label in question.answers.values())
            verb = "Select" if answer is None else "Answer with"
            problems.append(
                AnswerProblem(f"compliance.{question.key}", f"{verb} {options}: {question.text}")
            )
    problems.extend(_overall_problems(toolkit, answers))
    return problems


def _section_problems(section, answer: SectionAnswer | None) -> list[AnswerProblem]:
    key, title = section.key, section.title
    answer = answer or SectionAnswer()
    out = []

    def add(name: str, message: str) -> None:
        out.append(AnswerProblem(f"sections.{key}.{name}", message, key))

    if answer.not_applicable:
        if answer.grade is not None:
            add("grade", f"'{title}' is both graded and marked not applicable: choose one")
        elif not section.may_be_not_applicable:
            add("grade", f"'{title}' cannot be marked not applicable: select a grade")
        elif not answer.not_applicable_reason.strip():
            add("not_applicable_reason", f"Enter why '{title}' does not apply to this case")
        return out
    if answer.grade is None:
        either = ", or mark it not applicable" if section.may_be_not_applicable else ""
        add("grade", f"Select a grade for '{title}'{either}")
    elif answer.grade not in GRADES:
        add("grade", f"The grade for '{title}' must be {_grade_list()}")
    if answer.grade is not None and not answer.evidence.strip():
        add("evidence", f"Enter the evidence for the grade given to '{title}'")
    return out


def _overall_problems(toolkit: ToolkitDefinition, answers: AuditAnswers) -> list[AnswerProblem]:
    out = []
    section_answers = [answers.sections.get(s.key) for s in toolkit.sections]
    if section_answers and all(a is not None and a.not_applicable for a in section_answers):
        out.append(
            AnswerProblem("sections", "Grade at least one section: every section is not applicable")
        )
    overall = answers.overall_grade
    if overall is None:
        out.append(AnswerProblem("overall_grade", "Select an overall grade"))
    elif overall not in GRADES:
        out.append(AnswerProblem("overall_grade", f"The overall grade must be {_grade_list()}"))
    if not answers.overall_rationale.strip():
        out.append(AnswerProblem("overall_rationale", "Enter the rationale for the overall grade"))
    suggestion = suggest_for_answers(toolkit, answers)
    if (
        overall in GRADES
        and suggestion.grade is not None
        and overall != suggestion.grade
        and not answers.difference_reason.strip()
    ):
        out.append(
            AnswerProblem(
                "difference_reason",
                f"Enter why the overall grade ({GRADES[overall]}) differs from the suggested "
                f"grade ({GRADES[suggestion.grade]})",
            )
        )
    return out


def _grade_list() -> str:
    labels = list(GRADES.values())
    return ", ".join(labels[:-1]) + " or " + labels[-1]
