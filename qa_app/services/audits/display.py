"""How an audit is shown: the case facts beside the form, answers as fields and in words."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from qa_app.extensions import db
from qa_app.models import Audit, Import
from qa_app.models.toolkit_definition import ToolkitDefinition
from qa_app.models.vocab import GRADES
from qa_app.services.actions.raising import team_manager_of
from qa_app.services.audits import answers as audit_answers
from qa_app.services.audits.form import definition
from qa_app.services.platform import months


@dataclass(frozen=True)
class CaseFacts:
    """The case as the import describes it, shown beside the form."""

    child_id: str
    cohort: str
    team: str
    locality: str
    worker: str
    team_manager: str
    opened_on: date | None
    as_of: date | None
    due_on: date
    month: str
    lookback_from: date
    judged_from: date


def case_facts(audit: Audit) -> CaseFacts:
    case = audit.case
    item = audit.assignment.item
    toolkit = definition(audit)
    reference = item.cycle.reference_date
    manager = team_manager_of(case)
    as_of = None
    if case.import_id is not None:
        record = db.session.get(Import, case.import_id)
        as_of = record.as_of if record else None
    return CaseFacts(
        child_id=case.child.la_child_id,
        cohort=case.cohort,
        team=case.team.name if case.team else "No team",
        locality=case.team.locality.name if case.team and case.team.locality else "Not known",
        worker=case.worker.name if case.worker else "Unallocated",
        team_manager=manager.name if manager else "None found",
        opened_on=case.opened_on,
        as_of=as_of,
        due_on=audit.assignment.effective_due,
        month=item.cycle.month,
        lookback_from=_since_opened(reference, toolkit.lookback.months, case.opened_on),
        judged_from=_since_opened(reference, toolkit.lookback.judged_on_months, case.opened_on),
    )


def _since_opened(reference: date, count: int, opened_on: date | None) -> date:
    """*count* months before *reference*, but never before the case opened: there is no record
    of this case to read from before then."""
    start = months.same_day_months_before(reference, count)
    return max(start, opened_on) if opened_on else start


def display_value(answers: Mapping, path: str) -> str:
    """The stored answer at *path* as a form field shows it ("" when none)."""
    parts = path.split(".")
    if parts[0] == "sections" and len(parts) == 3 and parts[2] == "grade":
        section = answers.get("sections", {}).get(parts[1], {})
        if section.get("not_applicable"):
            return "na"
    value = audit_answers.value_at(answers, path)
    return "" if value is None else str(value)


def path_label(toolkit: ToolkitDefinition, path: str) -> str:
    """An answer path in words, for the conflict page."""
    parts = path.split(".")
    fields = {
        "grade": "grade",
        "not_applicable": "not applicable",
        "na_reason": "why it does not apply",
        "evidence": "evidence",
        "rationale": "rationale",
        "difference_reason": "reason for differing from the suggestion",
        "description": "action",
        "owner": "action owner",
        "due_in_working_days": "action due in (working days)",
        "priority": "action priority",
    }
    try:
        if parts[0] == "sections":
            return f"{toolkit.section(parts[1]).title}: {fields.get(parts[2], parts[2])}"
        if parts[0] == "compliance":
            return toolkit.question(parts[1]).text
    except (KeyError, IndexError):
        return path
    if parts[0] == "overall":
        return f"Overall {fields.get(parts[-1], parts[-1])}"
    if parts[0] == "actions":
        return "An action" if len(parts) == 2 else fields.get(parts[2], parts[2]).capitalize()
    return path


def show_value(path: str, value) -> str:
    """A stored or typed answer in words."""
    if value is None or value == "":
        return "(nothing)"
    if path.endswith(".grade"):
        try:
            return GRADES.get(int(value), str(value))
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return value.get("description") or "(an action)"
    return {"yes": "Yes", "no": "No", "na": "Not applicable"}.get(value, str(value))
