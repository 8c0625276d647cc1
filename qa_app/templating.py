"""Jinja filters and globals shared by every template."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_login import current_user
from govuk_frontend_wtf.main import WTFormsHelpers

from qa_app.models.cases import child_reference
from qa_app.models.vocab import COHORTS, GRADES, ROLES, SERVICES
from qa_app.navigation import navigation_for, sub_navigation_for
from qa_app.permissions import can


def uk_datetime(value: datetime | None) -> str:
    """A stored naive-UTC timestamp as UK local time, e.g. "3 March 2026 at 2:05pm"."""
    if value is None:
        return ""
    local = value.replace(tzinfo=ZoneInfo("UTC")).astimezone(
        ZoneInfo(current_app.config["TIMEZONE"])
    )
    hour = local.strftime("%I").lstrip("0") or "12"
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{local.strftime('%p').lower()}"


def uk_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.replace(tzinfo=ZoneInfo("UTC")).astimezone(
            ZoneInfo(current_app.config["TIMEZONE"])
        )
    return f"{value.day} {value:%B %Y}"


def uk_time(value: datetime | None) -> str:
    """A stored naive-UTC timestamp as UK local clock time, e.g. "14:05"."""
    if value is None:
        return ""
    local = value.replace(tzinfo=ZoneInfo("UTC")).astimezone(
        ZoneInfo(current_app.config["TIMEZONE"])
    )
    return f"{local:%H:%M}"


def month_name(month: str) -> str:
    """A cycle's month "2026-10" in words: "October 2026"."""
    try:
        return f"{date.fromisoformat(f'{month}-01'):%B %Y}"
    except (TypeError, ValueError):
        return month


def number(value: int | float | None) -> str:
    return "" if value is None else f"{value:,}"


def reference(value) -> str:
    """A case, child or council child id as the one reference people see ("Child 02891558")."""
    if value is None:
        return ""
    return value.reference if hasattr(value, "reference") else child_reference(value)


def register_template_helpers(app: Flask) -> None:
    WTFormsHelpers(app)
    app.add_template_filter(uk_datetime)
    app.add_template_filter(uk_date)
    app.add_template_filter(uk_time)
    app.add_template_filter(number)
    app.add_template_filter(month_name)
    app.add_template_filter(reference)
    app.add_template_filter(lambda key: COHORTS.get(key, key or "Not known"), "cohort_label")
    app.add_template_filter(lambda key: ROLES.get(key, key), "role_label")
    app.add_template_filter(lambda key: SERVICES.get(key, key or "Not set"), "service_label")
    app.add_template_filter(lambda code: GRADES.get(code, ""), "grade_label")

    @app.context_processor
    def inject_globals() -> dict:
        return {
            "service_name": app.config["SERVICE_NAME"],
            "council_name": app.config["COUNCIL_NAME"],
            "nav_items": navigation_for(current_user) if current_user.is_authenticated else [],
            "sub_nav": sub_navigation_for(current_user) if current_user.is_authenticated else None,
            "can": lambda permission: can(current_user, permission),
            "COHORTS": COHORTS,
            "ROLES": ROLES,
            "SERVICES": SERVICES,
        }
