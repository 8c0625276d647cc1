"""The audit pages' fields as answer changes (see qa_app.services.audits.answers).

The pages are drawn from the toolkit, so their fields are named by answer path
(``sections.<key>.evidence``, ``compliance.<key>``, ``overall.rationale``...). A page submit
and the autosave script send the same names; both are turned into changes here, and the
changes are checked by the service. WTForms does not fit forms whose fields are the data of a
toolkit version, so this shapes the raw fields instead.
"""

import secrets
from collections.abc import Mapping

from qa_app.models.toolkit_definition import Section, ToolkitDefinition

NOT_APPLICABLE = "na"
NEW_ACTION = "new_action"
ACTION_FIELDS = ("description", "owner", "due_in_working_days", "priority")


def field_changes(name: str, value: str | None) -> dict:
    """The changes one field makes (used by autosave: one field at a time)."""
    parts = name.split(".")
    if parts[0] == "sections" and len(parts) == 3 and parts[2] == "grade":
        if value == NOT_APPLICABLE:
            return {f"sections.{parts[1]}.grade": None, f"sections.{parts[1]}.not_applicable": True}
        return {name: value or None, f"sections.{parts[1]}.not_applicable": False}
    if parts[0] == "actions" and len(parts) == 3 and parts[2] == "remove":
        return {f"actions.{parts[1]}": None} if value else {}
    if parts[0] == "overall" and len(parts) == 2 and parts[1] == "grade":
        return {name: value or None}
    return {name: value}


def section_changes(section: Section, form: Mapping, drafted: list[dict]) -> dict:
    """The changes a section page submit makes: grade, evidence, reason, its actions."""
    prefix = f"sections.{section.key}"
    changes = field_changes(f"{prefix}.grade", form.get(f"{prefix}.grade"))
    changes[f"{prefix}.evidence"] = form.get(f"{prefix}.evidence", "")
    if section.may_be_not_applicable:
        changes[f"{prefix}.na_reason"] = form.get(f"{prefix}.na_reason", "")
    for action in drafted:
        if action.get("section") != section.key or action.get("action_id"):
            continue
        path = f"actions.{action['id']}"
        if form.get(f"{path}.remove"):
            changes[path] = None
            continue
        for field in ACTION_FIELDS:
            if f"{path}.{field}" in form:
                changes[f"{path}.{field}"] = form[f"{path}.{field}"]
    description = (form.get(f"{NEW_ACTION}.description") or "").strip()
    if description:
        new_id = form.get(f"{NEW_ACTION}.id") or secrets.token_hex(6)
        fields = {f: form.get(f"{NEW_ACTION}.{f}") for f in ACTION_FIELDS}
        changes[f"actions.{new_id}"] = {
            "section": section.key,
            **{f: v for f, v in fields.items() if v is not None},
        }
    return changes


def compliance_changes(toolkit: ToolkitDefinition, form: Mapping) -> dict:
    return {f"compliance.{q.key}": form.get(f"compliance.{q.key}") for q in toolkit.compliance}


def overall_changes(form: Mapping) -> dict:
    changes = field_changes("overall.grade", form.get("overall.grade"))
    changes["overall.rationale"] = form.get("overall.rationale", "")
    changes["overall.difference_reason"] = form.get("overall.difference_reason", "")
    return changes


def page_changes(toolkit: ToolkitDefinition, page: str, form: Mapping, drafted: list[dict]) -> dict:
    """The changes a submit of *page* (a section key, compliance or overall) makes."""
    if page == "compliance":
        return compliance_changes(toolkit, form)
    if page == "overall":
        return overall_changes(form)
    return section_changes(toolkit.section(page), form, drafted)
