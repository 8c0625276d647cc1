"""An audit's draft answers: their JSON shape, checking a change, and reading them for grading.

A draft lives in ``Audit.answers`` (see qa_app.models.audits)::

    {"sections": {key: {"grade": 1..4 | None, "not_applicable": bool, "na_reason": str,
                        "evidence": str}},
     "compliance": {key: "yes" | "no" | "na"},
     "overall": {"grade": 1..4 | None, "rationale": str, "difference_reason": str},
     "actions": [{"id": str, "section": key, "description": str, "owner": "worker" |
                  "team_manager", "due_in_working_days": int, "priority": "high" | "normal",
                  "action_id": int | None}]}

Every save is a set of *changes*, each a path and a value (``sections.assessment.grade``: 2,
``compliance.chronology_up_to_date``: "yes", ``actions.<id>``: {...} or None to remove). Each
change is checked against the audit's toolkit version here, whoever sends it (a page, the
autosave script, a conflict resolution), so nothing outside the documented shape is stored.
Text is kept exactly as typed (only line endings are normalised), so a draft resumes exactly.
Drafted actions become real actions at submission (``action_id`` is then set).
"""

import copy
from collections.abc import Mapping
from typing import Any

from qa_app.models.toolkit_definition import ToolkitDefinition
from qa_app.models.vocab import GRADES
from qa_app.services.audits.grading import AnswerProblem, AuditAnswers, SectionAnswer
from qa_app.textnorm import is_digits

COMPLIANCE_VALUES = ("yes", "no", "na")
# The stored compliance answer -> the toolkit's answer key (toolkit_definition.ANSWERS).
COMPLIANCE_TO_TOOLKIT = {"yes": "yes", "no": "no", "na": "not_applicable"}
OWNERS = {"worker": "The allocated social worker", "team_manager": "The team manager"}
ACTION_PRIORITIES = {"high": "High", "normal": "Normal"}
DEFAULT_DUE_WORKING_DAYS = 20
MAX_DUE_WORKING_DAYS = 60
MAX_EVIDENCE = 20_000
MAX_REASON = 5_000
MAX_ACTION_TEXT = 2_000
MAX_CHANGES = 200

SECTION_FIELDS = ("grade", "not_applicable", "na_reason", "evidence")
OVERALL_FIELDS = ("grade", "rationale", "difference_reason")
ACTION_FIELDS = ("description", "owner", "due_in_working_days", "priority")


class InvalidAnswer(ValueError):
    """One or more changes that do not fit the toolkit; ``problems`` maps path -> message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def empty_section() -> dict:
    return {"grade": None, "not_applicable": False, "na_reason": "", "evidence": ""}


def empty_answers() -> dict:
    return {
        "sections": {},
        "compliance": {},
        "overall": {"grade": None, "rationale": "", "difference_reason": ""},
        "actions": [],
    }


def normalise(answers: Mapping | None) -> dict:
    """A deep copy of *answers* with every top-level part present."""
    out = empty_answers()
    answers = copy.deepcopy(dict(answers or {}))
    out["sections"] = {
        key: {**empty_section(), **value} for key, value in answers.get("sections", {}).items()
    }
    out["compliance"] = dict(answers.get("compliance", {}))
    out["overall"] = {**out["overall"], **answers.get("overall", {})}
    out["actions"] = list(answers.get("actions", []))
    return out


def new_action(action_id: str, section: str) -> dict:
    return {
        "id": action_id,
        "section": section,
        "description": "",
        "owner": "worker",
        "due_in_working_days": DEFAULT_DUE_WORKING_DAYS,
        "priority": "normal",
        "action_id": None,
    }


def find_action(answers: Mapping, action_id: str) -> dict | None:
    return next((a for a in answers.get("actions", []) if a.get("id") == action_id), None)


def value_at(answers: Mapping, path: str) -> Any:
    """The stored value at a change *path* (None when nothing is there)."""
    parts = path.split(".")
    if parts[0] == "sections" and len(parts) == 3:
        return answers.get("sections", {}).get(parts[1], empty_section()).get(parts[2])
    if parts[0] == "compliance" and len(parts) == 2:
        return answers.get("compliance", {}).get(parts[1])
    if parts[0] == "overall" and len(parts) == 2:
        return answers.get("overall", {}).get(parts[1])
    if parts[0] == "actions" and len(parts) in (2, 3):
        action = find_action(answers, parts[1])
        if action is None or len(parts) == 2:
            return action
        return action.get(parts[2])
    return None


def apply_changes(toolkit: ToolkitDefinition, answers: Mapping | None, changes: Mapping) -> dict:
    """New answers with *changes* applied; ``InvalidAnswer`` (nothing applied) if any is wrong."""
    if len(changes) > MAX_CHANGES:
        raise InvalidAnswer({"": f"Too many changes in one save (the most is {MAX_CHANGES})"})
    out = normalise(answers)
    problems: dict[str, str] = {}
    for path, value in changes.items():
        try:
            _apply(toolkit, out, str(path), value)
        except _Refused as exc:
            problems[str(path)] = str(exc)
    if problems:
        raise InvalidAnswer(problems)
    return out


class _Refused(Exception):
    pass


def _apply(toolkit: ToolkitDefinition, answers: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    head = parts[0]
    if head == "sections" and len(parts) == 3 and parts[2] in SECTION_FIELDS:
        section = _section(toolkit, parts[1])
        answers["sections"].setdefault(section.key, empty_section())[parts[2]] = _section_value(
            section, parts[2], value
        )
    elif head == "compliance" and len(parts) == 2:
        try:
            question = toolkit.question(parts[1])
        except KeyError:
            raise _Refused(
                f"There is no compliance question '{parts[1]}' in this toolkit"
            ) from None
        answers["compliance"][question.key] = _compliance_value(question, value)
        if answers["compliance"][question.key] is None:
            del answers["compliance"][question.key]
    elif head == "overall" and len(parts) == 2 and parts[1] in OVERALL_FIELDS:
        if parts[1] == "grade":
            answers["overall"]["grade"] = _grade(value, "The overall grade")
        else:
            what = "rationale" if parts[1] == "rationale" else "reason for the difference"
            answers["overall"][parts[1]] = _text(value, f"The {what}", MAX_REASON)
    elif head == "actions" and len(parts) == 2:
        _replace_action(toolkit, answers, parts[1], value)
    elif head == "actions" and len(parts) == 3 and parts[2] in ACTION_FIELDS:
        action = find_action(answers, parts[1])
        if action is None:
            raise _Refused("That action is no longer in the draft (it was removed)")
        _check_not_raised(action)
        action[parts[2]] = _action_value(parts[2], value)
    else:
        raise _Refused(f"'{path}' is not an answer in this audit")


def _section(toolkit: ToolkitDefinition, key: str):
    try:
        return toolkit.section(key)
    except KeyError:
        raise _Refused(
            f"There is no section '{key}' in version {toolkit.version} of {toolkit.name}"
        ) from None


def _section_value(section, field: str, value: Any) -> Any:
    where = f"'{section.title}'"
    if field == "grade":
        return _grade(value, f"The grade for {where}")
    if field == "not_applicable":
        if not isinstance(value, bool):
            raise _Refused(f"{where}: not applicable must be true or false")
        if value and not section.may_be_not_applicable:
            raise _Refused(f"{where} cannot be marked not applicable: it applies to every case")
        return value
    if field == "na_reason":
        return _text(value, f"The reason {where} does not apply", MAX_REASON)
    return _text(value, f"The evidence for {where}", MAX_EVIDENCE)


def _compliance_value(question, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if value not in COMPLIANCE_VALUES:
        raise _Refused(f"Answer yes, no or not applicable: {question.text}")
    if value == "na" and not question.not_applicable_allowed:
        raise _Refused(f"Answer yes or no (not applicable is not allowed): {question.text}")
    return value


def _grade(value: Any, what: str) -> int | None:
    if value is None or value == "":
        return None
    grade = None
    if isinstance(value, int) and not isinstance(value, bool):
        grade = value
    elif isinstance(value, str) and is_digits(value.strip()) and len(value.strip()) <= 3:
        grade = int(value)
    if grade not in GRADES:
        labels = list(GRADES.values())
        raise _Refused(f"{what} must be {', '.join(labels[:-1])} or {labels[-1]}")
    return grade


def _text(value: Any, what: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Refused(f"{what} must be text")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if len(value) > limit:
        raise _Refused(
            f"{what} is {len(value):,} characters long: the most is {limit:,}. "
            f"Shorten it (nothing has been saved from this page)"
        )
    return value


def _check_not_raised(action: Mapping) -> None:
    if action.get("action_id"):
        raise _Refused(
            f"This action was raised at submission (action {action['action_id']}): change it in "
            f"the action tracker"
        )


def _replace_action(toolkit: ToolkitDefinition, answers: dict, action_id: str, value: Any) -> None:
    if not action_id or len(action_id) > 40 or not action_id.replace("-", "").isalnum():
        raise _Refused("An action needs a short id of letters and digits")
    existing = find_action(answers, action_id)
    if existing is not None:
        _check_not_raised(existing)
    if value is None:
        answers["actions"] = [a for a in answers["actions"] if a.get("id") != action_id]
        return
    if not isinstance(value, Mapping):
        raise _Refused("An action must be a set of fields")
    section = (existing or {}).get("section") or value.get("section")
    if not isinstance(section, str):
        raise _Refused("Say which section the action is raised from")
    _section(toolkit, section)
    action = existing or new_action(action_id, section)
    for field in ACTION_FIELDS:
        if field in value:
            action[field] = _action_value(field, value[field])
    if existing is None:
        answers["actions"].append(action)


def _action_value(field: str, value: Any) -> Any:
    if field == "description":
        return _text(value, "The action's description", MAX_ACTION_TEXT)
    if field == "owner":
        if value not in OWNERS:
            raise _Refused("Choose who owns the action: the social worker or the team manager")
        return value
    if field == "priority":
        if value not in ACTION_PRIORITIES:
            raise _Refused("Choose the action's priority: high or normal")
        return value
    days = None
    if isinstance(value, int) and not isinstance(value, bool):
        days = value
    elif isinstance(value, str) and is_digits(value.strip()) and len(value.strip()) <= 3:
        days = int(value)
    if days is None or not 1 <= days <= MAX_DUE_WORKING_DAYS:
        raise _Refused(
            f"Enter the action's due date as a number of working days from 1 to "
            f"{MAX_DUE_WORKING_DAYS}"
        )
    return days


def to_grading(answers: Mapping) -> AuditAnswers:
    """The draft as ``grading.AuditAnswers`` (compliance answers in the toolkit's keys)."""
    answers = normalise(answers)
    overall = answers["overall"]
    return AuditAnswers(
        sections={
            key: SectionAnswer(
                grade=value.get("grade"),
                not_applicable=bool(value.get("not_applicable")),
                evidence=value.get("evidence") or "",
                not_applicable_reason=value.get("na_reason") or "",
            )
            for key, value in answers["sections"].items()
            if _touched(value)
        },
        compliance={
            key: COMPLIANCE_TO_TOOLKIT.get(value, value)
            for key, value in answers["compliance"].items()
        },
        overall_grade=overall.get("grade"),
        overall_rationale=overall.get("rationale") or "",
        difference_reason=overall.get("difference_reason") or "",
    )


def _touched(section: Mapping) -> bool:
    return bool(
        section.get("grade") is not None
        or section.get("not_applicable")
        or (section.get("evidence") or "").strip()
        or (section.get("na_reason") or "").strip()
    )


def action_problems(
    toolkit: ToolkitDefinition, answers: Mapping, *, owners: Mapping[str, object | None]
) -> list[AnswerProblem]:
    """What is missing from drafted actions; *owners* maps "worker"/"team_manager" to a person."""
    problems = []
    for action in normalise(answers)["actions"]:
        if action.get("action_id"):
            continue
        key = action.get("section")
        try:
            title = toolkit.section(key).title
        except KeyError:
            title = key
        path = f"actions.{action['id']}"
        if not (action.get("description") or "").strip():
            problems.append(
                AnswerProblem(
                    f"{path}.description", f"Describe the action raised from '{title}'", key
                )
            )
        if owners.get(action.get("owner")) is None:
            who = OWNERS.get(action.get("owner"), "the owner").lower()
            problems.append(
                AnswerProblem(
                    f"{path}.owner",
                    f"The case has no {who.removeprefix('the ')}: choose another owner for the "
                    f"action raised from '{title}'",
                    key,
                )
            )
    return problems


def section_touched(answers: Mapping, key: str) -> bool:
    """Whether anything at all has been entered for a section (its actions included)."""
    answers = normalise(answers)
    section = answers["sections"].get(key)
    return bool(
        (section and _touched(section)) or any(a["section"] == key for a in answers["actions"])
    )
