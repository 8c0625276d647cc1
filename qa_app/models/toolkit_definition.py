"""A toolkit's definition as typed, read-only objects: sections, compliance questions, rules.

A ``ToolkitDefinition`` is built from the validated document (the JSON a ``ToolkitVersion``
stores) with ``ToolkitDefinition.from_dict``. The audit form, grading and reports read toolkits
through these objects, never through raw dictionaries, so a renamed field breaks loudly here.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from qa_app.models.vocab import GRADES

# Descriptor keys in the YAML, by grade code (vocab.GRADES): 1 Outstanding ... 4 Inadequate.
GRADE_KEYS: dict[int, str] = {
    1: "outstanding",
    2: "good",
    3: "requires_improvement",
    4: "inadequate",
}
INADEQUATE = 4

# Compliance questions every toolkit must ask, by stable key, because the monthly report computes
# these percentages across all toolkits (docs/framework.md#the-monthly-report). A toolkit may word
# each question for its cohorts and may add questions of its own.
REPORTED_COMPLIANCE: dict[str, str] = {
    "chronology_up_to_date": "% with an up-to-date chronology",
    "supervision_last_month": "% with supervision recorded in the last month",
    "visits_in_timescale": "% with statutory visits in timescale",
    "seen_alone_last_visit": "% where the child was seen alone",
}

# Compliance answers, in the order the form offers them.
ANSWERS: dict[str, str] = {"yes": "Yes", "no": "No", "not_applicable": "Not applicable"}


@dataclass(frozen=True)
class Descriptor:
    grade: int
    key: str
    text: str

    @property
    def label(self) -> str:
        return GRADES[self.grade]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    safety_critical: bool
    may_be_not_applicable: bool
    not_applicable_when: str
    guidance: str
    prompts: tuple[str, ...]
    descriptors: tuple[Descriptor, ...]  # grade 1 to 4

    def descriptor(self, grade: int) -> Descriptor:
        return self.descriptors[grade - 1]


@dataclass(frozen=True)
class ComplianceQuestion:
    key: str
    text: str
    hint: str
    report_label: str
    not_applicable_allowed: bool

    @property
    def answers(self) -> dict[str, str]:
        """The answers the auditor may give, key -> label."""
        if self.not_applicable_allowed:
            return dict(ANSWERS)
        return {k: v for k, v in ANSWERS.items() if k != "not_applicable"}


@dataclass(frozen=True)
class GradingRules:
    """How the suggested overall grade is worked out (see qa_app.services.audits.grading).

    :param limiting_judgement: an Inadequate safety-critical section makes the overall Inadequate.
    :param max_grades_above_worst: the overall is at most this many grades better than the
        worst graded section.
    :param median_tie_break: with an even number of graded sections whose two middle grades
        differ, take the ``"worse"`` (the cautious default) or the ``"better"`` of the two.
    """

    limiting_judgement: bool = True
    max_grades_above_worst: int = 1
    median_tie_break: str = "worse"


@dataclass(frozen=True)
class Lookback:
    months: int
    judged_on_months: int


@dataclass(frozen=True)
class ToolkitDefinition:
    key: str
    name: str
    version: int
    description: str
    cohorts: tuple[str, ...]
    lookback: Lookback
    grading: GradingRules
    sections: tuple[Section, ...]
    compliance: tuple[ComplianceQuestion, ...]
    raw: dict[str, Any]

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> "ToolkitDefinition":
        """Build from a document that has passed validation (see qa_app.services.toolkits.format.parse_toolkit)."""
        grading = doc.get("grading", {})
        return cls(
            key=doc["key"],
            name=doc["name"],
            version=doc["version"],
            description=doc.get("description", ""),
            cohorts=tuple(doc["cohorts"]),
            lookback=Lookback(
                months=doc["lookback"]["months"],
                judged_on_months=doc["lookback"]["judged_on_months"],
            ),
            grading=GradingRules(
                limiting_judgement=grading.get("limiting_judgement", True),
                max_grades_above_worst=grading.get("max_grades_above_worst", 1),
                median_tie_break=grading.get("median_tie_break", "worse"),
            ),
            sections=tuple(_section(s) for s in doc["sections"]),
            compliance=tuple(_question(q) for q in doc["compliance"]),
            raw=doc,
        )

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(f"toolkit {self.key} version {self.version} has no section {key!r}")

    def question(self, key: str) -> ComplianceQuestion:
        for question in self.compliance:
            if question.key == key:
                return question
        raise KeyError(f"toolkit {self.key} version {self.version} has no question {key!r}")

    @property
    def safety_critical_sections(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.safety_critical)

    @property
    def content_hash(self) -> str:
        return content_hash(self.raw)


def _section(doc: dict[str, Any]) -> Section:
    return Section(
        key=doc["key"],
        title=doc["title"],
        safety_critical=doc["safety_critical"],
        may_be_not_applicable=doc.get("may_be_not_applicable", False),
        not_applicable_when=doc.get("not_applicable_when", ""),
        guidance=doc["guidance"],
        prompts=tuple(doc.get("prompts", ())),
        descriptors=tuple(
            Descriptor(grade=code, key=key, text=doc["descriptors"][key])
            for code, key in GRADE_KEYS.items()
        ),
    )


def _question(doc: dict[str, Any]) -> ComplianceQuestion:
    return ComplianceQuestion(
        key=doc["key"],
        text=doc["text"],
        hint=doc.get("hint", ""),
        report_label=doc.get("report_label", ""),
        not_applicable_allowed=doc.get("not_applicable_allowed", True),
    )


def canonical_json(doc: dict[str, Any]) -> str:
    """The document as JSON with sorted keys: equal content gives equal text."""
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(doc: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON: YAML comments, layout and key order do not count."""
    return hashlib.sha256(canonical_json(doc).encode("utf-8")).hexdigest()
