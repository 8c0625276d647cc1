"""What changes between two versions of a toolkit, in sentences a QA lead can check. Pure."""

from qa_app.models.toolkit_definition import GRADE_KEYS, ToolkitDefinition
from qa_app.models.vocab import COHORTS, GRADES


def describe_changes(old: ToolkitDefinition, new: ToolkitDefinition) -> list[str]:
    """The differences from *old* to *new*, most important first; never empty."""
    changes: list[str] = []
    if old.name != new.name:
        changes.append(f"Name changed from '{old.name}' to '{new.name}'")
    added = [COHORTS[c] for c in new.cohorts if c not in old.cohorts]
    removed = [COHORTS[c] for c in old.cohorts if c not in new.cohorts]
    if added:
        changes.append(f"Now used for: {', '.join(added)}")
    if removed:
        changes.append(f"No longer used for: {', '.join(removed)}")
    if old.grading != new.grading:
        changes.append(_grading_change(old, new))
    if old.lookback != new.lookback:
        changes.append(
            f"Look-back changed from {old.lookback.months} months (judged on the last "
            f"{old.lookback.judged_on_months}) to {new.lookback.months} months (judged on the "
            f"last {new.lookback.judged_on_months})"
        )
    changes.extend(_section_changes(old, new))
    changes.extend(_question_changes(old, new))
    if old.description != new.description:
        changes.append("Description reworded")
    if not changes:
        changes.append(f"No change other than the version number ({old.version} to {new.version})")
    return changes


def _grading_change(old: ToolkitDefinition, new: ToolkitDefinition) -> str:
    parts = []
    if old.grading.limiting_judgement != new.grading.limiting_judgement:
        parts.append(
            "limiting judgement switched " + ("on" if new.grading.limiting_judgement else "off")
        )
    if old.grading.max_grades_above_worst != new.grading.max_grades_above_worst:
        parts.append(
            f"at most {new.grading.max_grades_above_worst} grade(s) better than the worst section "
            f"(was {old.grading.max_grades_above_worst})"
        )
    if old.grading.median_tie_break != new.grading.median_tie_break:
        parts.append(f"an even median now takes the {new.grading.median_tie_break} grade")
    return "Grading rules changed: " + "; ".join(parts)


def _section_changes(old: ToolkitDefinition, new: ToolkitDefinition) -> list[str]:
    out = []
    before = {s.key: s for s in old.sections}
    after = {s.key: s for s in new.sections}
    for section in new.sections:
        if section.key not in before:
            critical = ", safety-critical" if section.safety_critical else ""
            out.append(f"Section added: '{section.title}'{critical}")
    for section in old.sections:
        if section.key not in after:
            out.append(f"Section removed: '{section.title}'")
    for section in new.sections:
        was = before.get(section.key)
        if was is None:
            continue
        name = f"'{section.title}'"
        if was.title != section.title:
            out.append(f"Section '{was.title}' renamed {name}")
        if was.safety_critical != section.safety_critical:
            state = (
                "now safety-critical" if section.safety_critical else "no longer safety-critical"
            )
            out.append(f"{name} is {state}")
        if was.may_be_not_applicable != section.may_be_not_applicable:
            state = "may now" if section.may_be_not_applicable else "may no longer"
            out.append(f"{name} {state} be marked not applicable")
        elif was.not_applicable_when != section.not_applicable_when:
            out.append(f"{name}: when it does not apply reworded")
        changed = [
            GRADES[code]
            for code, key in GRADE_KEYS.items()
            if was.descriptor(code).text != section.descriptor(code).text
        ]
        if changed:
            noun = "descriptor" if len(changed) == 1 else "descriptors"
            out.append(f"{name}: {_join(changed)} {noun} reworded")
        if was.guidance != section.guidance:
            out.append(f"{name}: guidance reworded")
        if was.prompts != section.prompts:
            out.append(f"{name}: prompts changed")
    common_old = [s.key for s in old.sections if s.key in after]
    common_new = [s.key for s in new.sections if s.key in before]
    if common_old != common_new:
        out.append("Sections reordered")
    return out


def _question_changes(old: ToolkitDefinition, new: ToolkitDefinition) -> list[str]:
    out = []
    before = {q.key: q for q in old.compliance}
    after = {q.key: q for q in new.compliance}
    for question in new.compliance:
        was = before.get(question.key)
        if was is None:
            out.append(f"Compliance question added: '{question.text}'")
            continue
        if was.text != question.text or was.hint != question.hint:
            out.append(f"Compliance question reworded: '{question.text}'")
        if was.not_applicable_allowed != question.not_applicable_allowed:
            state = "now allows" if question.not_applicable_allowed else "no longer allows"
            out.append(f"Compliance question '{question.text}' {state} not applicable")
        if was.report_label != question.report_label:
            out.append(f"Compliance question '{question.text}': report label changed")
    for question in old.compliance:
        if question.key not in after:
            out.append(f"Compliance question removed: '{question.text}'")
    return out


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
