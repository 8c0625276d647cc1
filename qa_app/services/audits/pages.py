"""What the audit's pages show: the context every page shares (case facts, answers, errors by
field), the order of the pages, the read-only record and the reflection page.

Pure view-models for ``qa_app.views.audits``: they read, never change, and take the viewer
and the time as arguments.
"""

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Action, Audit, User
from qa_app.models.toolkit_definition import ToolkitDefinition
from qa_app.models.vocab import GRADES
from qa_app.services.audits import answers as audit_answers
from qa_app.services.audits import display, reflections
from qa_app.services.audits.form import default_action_owner, definition
from qa_app.services.audits.grading import describe_rules, suggest_for_answers

LAST_PAGES = ("compliance", "overall")  # after the toolkit's sections, before the check page


def field_id(path: str) -> str:
    """The HTML id of the field holding the answer at *path*."""
    return path.replace(".", "-")


def page_keys(toolkit: ToolkitDefinition) -> list[str]:
    """The form's pages in order: one per section, then compliance and the overall grade."""
    return [s.key for s in toolkit.sections] + list(LAST_PAGES)


def next_page_key(toolkit: ToolkitDefinition, key: str) -> str | None:
    """The page after *key*, or None after the last (the check page comes next)."""
    keys = page_keys(toolkit)
    index = keys.index(key)
    return keys[index + 1] if index + 1 < len(keys) else None


def page_errors(problems: Mapping[str, str], drafted: list[dict]) -> dict[str, str]:
    """Problems by field name; a refused new action's problems belong to its fields."""
    known = {a["id"] for a in drafted}
    out = {}
    for path, message in problems.items():
        parts = path.split(".")
        if parts[0] == "actions" and len(parts) >= 2 and parts[1] not in known:
            path = "new_action.description"
        out[path] = message
    return out


def suggestion(audit: Audit):
    """The grade the rules suggest for the answers so far."""
    return suggest_for_answers(definition(audit), audit_answers.to_grading(audit.answers))


def context(
    audit: Audit, viewer: User, *, errors: dict | None = None, form_values: Mapping | None = None
) -> dict:
    """What every audit page shows; *form_values* are the typed answers to show back with
    *errors* (else the stored answers are shown)."""
    answers = audit_answers.normalise(audit.answers)
    errors = errors or {}
    toolkit = definition(audit)

    def current(path: str) -> str:
        if form_values is not None:
            return form_values.get(path, "")
        return display.display_value(answers, path)

    return {
        "audit": audit,
        "toolkit": toolkit,
        "facts": display.case_facts(audit),
        "is_auditor": audit.auditor_id == viewer.id,
        "answers": answers,
        "errors": errors,
        "error_list": [{"text": m, "href": f"#{field_id(p)}"} for p, m in errors.items()],
        "current": current,
        "field_id": field_id,
        "grades": GRADES,
        "path_label": lambda path: display.path_label(toolkit, path),
        "show_value": display.show_value,
    }


def form_page(audit: Audit, key: str) -> tuple[str, dict]:
    """The template of the form page *key* and what it shows beyond ``context``."""
    toolkit = definition(audit)
    last = key in LAST_PAGES
    return ("audits/section.html" if not last else f"audits/{key}.html"), {
        "page_key": key,
        "section": None if last else toolkit.section(key),
        "rules": describe_rules(toolkit.grading),
        "suggestion": suggestion(audit),
        "default_owner": default_action_owner(audit.case),
    }


def conflict_rows(stored_answers: Mapping, changes: Mapping) -> list[tuple]:
    """(path, your value, the stored value) for each change another save overtook."""
    return [
        (path, value, audit_answers.value_at(stored_answers, path))
        for path, value in changes.items()
        if audit_answers.value_at(stored_answers, path) != value
    ]


def record(audit: Audit, viewer: User, *, now: datetime) -> dict:
    """The submitted audit as read (and printed): suggestion, its actions, reflections."""
    return {
        "suggestion": suggestion(audit),
        "actions": db.session.scalars(
            select(Action).where(Action.audit_id == audit.id).order_by(Action.id)
        ).all(),
        "reflection_due": reflections.reflection_due(audit),
        "reflection_role": reflections.reflection_role(audit, viewer),
        "agreement_labels": reflections.AGREEMENT_LABELS,
        "now": now,
    }


def reflection_page(audit: Audit, viewer: User, *, now: datetime) -> dict:
    """The reflection page: when reflections are due, the viewer's own, and whether closed."""
    due = reflections.reflection_due(audit)
    return {
        "due": due,
        "labels": reflections.AGREEMENT_LABELS,
        "mine": next((r for r in audit.reflections if r.author_id == viewer.id), None),
        "closed": audit.submitted_at is not None and now.date() > due,
    }
