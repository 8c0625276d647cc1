"""Small toolkit documents for tests: a minimal valid toolkit, and YAML for it."""

import copy
from pathlib import Path

import yaml

from qa_app.models.toolkit_definition import GRADE_KEYS, REPORTED_COMPLIANCE

SHIPPED = sorted((Path(__file__).resolve().parents[2] / "qa_app" / "toolkits").glob("*.yaml"))


def descriptors(section: str) -> dict[str, str]:
    return {
        key: f"What {key.replace('_', ' ')} practice looks like for {section}, in some detail."
        for key in GRADE_KEYS.values()
    }


def section(key: str, *, safety_critical: bool = False, may_be_na: bool = False) -> dict:
    doc = {
        "key": key,
        "title": key.replace("_", " ").capitalize(),
        "safety_critical": safety_critical,
        "guidance": f"Look at the {key.replace('_', ' ')} on the child's file.",
        "prompts": [f"Is the {key.replace('_', ' ')} good enough?"],
        "descriptors": descriptors(key),
    }
    if may_be_na:
        doc["may_be_not_applicable"] = True
        doc["not_applicable_when"] = "No such event happened in the period."
    return doc


def minimal_doc(**overrides) -> dict:
    """A small valid toolkit: three sections (one safety-critical, one may be n/a)."""
    doc = {
        "format": 1,
        "key": "test_toolkit",
        "name": "Test toolkit",
        "version": 1,
        "description": "A toolkit for tests.",
        "cohorts": ["cin"],
        "lookback": {"months": 12, "judged_on_months": 6},
        "grading": {
            "limiting_judgement": True,
            "max_grades_above_worst": 1,
            "median_tie_break": "worse",
        },
        "sections": [
            section("assessment", safety_critical=True),
            section("planning"),
            section("strategy_discussions", may_be_na=True),
        ],
        "compliance": [
            {"key": key, "text": f"Question about {label}?", "report_label": label[2:]}
            for key, label in REPORTED_COMPLIANCE.items()
        ],
    }
    doc = copy.deepcopy(doc)
    doc.update(overrides)
    return doc


def to_yaml(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
