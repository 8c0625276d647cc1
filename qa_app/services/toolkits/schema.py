"""The JSON Schema of a toolkit YAML document (format 1): the shape, with no database.

``toolkits.format.parse_toolkit`` validates against it and turns its errors into plain messages;
an ``x-message`` in a sub-schema replaces the generic message for a pattern or length error.
"""

from typing import Any

from jsonschema import Draft202012Validator

from qa_app.models.toolkit_definition import GRADE_KEYS
from qa_app.models.vocab import COHORTS

FORMAT_VERSION = 1
KEY_PATTERN = "^[a-z][a-z0-9_]{1,39}$"
MIN_DESCRIPTOR_CHARS = 40

_KEY = {
    "type": "string",
    "pattern": KEY_PATTERN,
    "x-message": "must be a key of 2 to 40 lower-case letters, digits and underscores, "
    "starting with a letter",
}
_TEXT = {"type": "string", "minLength": 1}
_DESCRIPTOR = {
    "type": "string",
    "minLength": MIN_DESCRIPTOR_CHARS,
    "x-message": f"is too short to tell auditors what this grade looks like "
    f"(write at least {MIN_DESCRIPTOR_CHARS} characters)",
}

SECTION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "title", "safety_critical", "guidance", "descriptors"],
    "properties": {
        "key": _KEY,
        "title": {"type": "string", "minLength": 3, "maxLength": 120},
        "safety_critical": {"type": "boolean"},
        "may_be_not_applicable": {"type": "boolean"},
        "not_applicable_when": _TEXT,
        "guidance": _TEXT,
        "prompts": {"type": "array", "items": _TEXT},
        "descriptors": {
            "type": "object",
            "additionalProperties": False,
            "required": list(GRADE_KEYS.values()),
            "properties": dict.fromkeys(GRADE_KEYS.values(), _DESCRIPTOR),
        },
    },
}

QUESTION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "text"],
    "properties": {
        "key": _KEY,
        "text": {"type": "string", "minLength": 10, "maxLength": 300},
        "hint": _TEXT,
        "report_label": {"type": "string", "minLength": 3, "maxLength": 100},
        "not_applicable_allowed": {"type": "boolean"},
    },
}

TOOLKIT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Casefile QA audit toolkit",
    "type": "object",
    "additionalProperties": False,
    "required": [
        "format",
        "key",
        "name",
        "version",
        "cohorts",
        "lookback",
        "grading",
        "sections",
        "compliance",
    ],
    "properties": {
        "format": {"const": FORMAT_VERSION},
        "key": _KEY,
        "name": {"type": "string", "minLength": 3, "maxLength": 200},
        "version": {"type": "integer", "minimum": 1},
        "description": _TEXT,
        "cohorts": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": list(COHORTS)},
        },
        "lookback": {
            "type": "object",
            "additionalProperties": False,
            "required": ["months", "judged_on_months"],
            "properties": {
                "months": {"type": "integer", "minimum": 1, "maximum": 60},
                "judged_on_months": {"type": "integer", "minimum": 1, "maximum": 60},
            },
        },
        "grading": {
            "type": "object",
            "additionalProperties": False,
            "required": ["limiting_judgement", "max_grades_above_worst", "median_tie_break"],
            "properties": {
                "limiting_judgement": {"type": "boolean"},
                "max_grades_above_worst": {"type": "integer", "minimum": 0, "maximum": 3},
                "median_tie_break": {"enum": ["worse", "better"]},
            },
        },
        "sections": {"type": "array", "minItems": 1, "maxItems": 40, "items": SECTION_SCHEMA},
        "compliance": {"type": "array", "minItems": 1, "maxItems": 40, "items": QUESTION_SCHEMA},
    },
}
Draft202012Validator.check_schema(TOOLKIT_SCHEMA)
