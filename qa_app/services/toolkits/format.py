"""Reading a toolkit YAML file: JSON Schema validation with messages a person can act on.

``parse_toolkit(data, source)`` returns a ``ToolkitDefinition`` or raises ``ToolkitInvalid``
listing every problem found, each naming the file, the line, the place in the document (e.g.
``sections[statutory_visits].descriptors``) and what is wrong. Pure: no database.

The schema (``toolkits.schema.TOOLKIT_SCHEMA``) checks the shape; ``_semantic_problems`` then checks what a
schema cannot say well (unique keys across list items, the questions the monthly report needs).
"""

import difflib
import re
from dataclasses import dataclass
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from qa_app.models.toolkit_definition import REPORTED_COMPLIANCE, ToolkitDefinition
from qa_app.services.toolkits.schema import KEY_PATTERN, TOOLKIT_SCHEMA

MAX_BYTES = 512 * 1024
# libyaml's loader is about 15 times faster than the pure-Python one and gives the same marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_VALIDATOR = Draft202012Validator(TOOLKIT_SCHEMA)

_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields (key: value)",
    "null": "nothing",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a toolkit file."""

    where: str  # the place in the document, e.g. "sections[planning].descriptors"; "" = the file
    message: str
    line: int | None = None

    def describe(self, source: str) -> str:
        place = f"{source}, line {self.line}" if self.line else source
        return (
            f"{place}: {self.where}: {self.message}" if self.where else f"{place}: {self.message}"
        )


class ToolkitInvalid(ValueError):
    """The toolkit cannot be loaded; ``problems`` lists why. Nothing was changed."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.describe(source) for p in problems))


def parse_toolkit(data: bytes | str, source: str) -> ToolkitDefinition:
    """Parse and validate one toolkit document; raise ``ToolkitInvalid`` with every problem."""
    text = _decode(data, source)
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        line = mark.line + 1 if mark else None
        raise ToolkitInvalid(source, [Problem("", f"not valid YAML: {detail}", line)]) from exc
    except yaml.YAMLError as exc:
        raise ToolkitInvalid(source, [Problem("", f"not valid YAML: {exc}")]) from exc
    if root is None:
        raise ToolkitInvalid(source, [Problem("", "the file is empty")])
    structural = _node_problems(root)
    if structural:
        raise ToolkitInvalid(source, structural)
    doc = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    if not isinstance(doc, dict):
        raise ToolkitInvalid(
            source,
            [Problem("", f"the document must be {_TYPE_NAMES['object']}, not {_kind(doc)}", 1)],
        )
    problems = schema_problems(doc, root)
    if not problems:
        problems = _semantic_problems(doc, root)
    if problems:
        raise ToolkitInvalid(source, problems)
    return ToolkitDefinition.from_dict(_tidy(doc))


def _decode(data: bytes | str, source: str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        raise ToolkitInvalid(
            source, [Problem("", f"the file is larger than {MAX_BYTES // 1024} KB")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ToolkitInvalid(
            source, [Problem("", f"the file is not UTF-8 text (byte {exc.start})")]
        ) from exc
    if not text.strip():
        raise ToolkitInvalid(source, [Problem("", "the file is empty")])
    return text.replace("\r\n", "\n")


def _tidy(value: Any) -> Any:
    """Trailing spaces and newlines off every text, so layout in the YAML does not count."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    return value


# --- the YAML node tree: duplicate keys, aliases, and the line of any place in the document ---


def _node_problems(root: yaml.Node) -> list[Problem]:
    """Duplicate keys (PyYAML silently keeps the last) and aliases (unbounded expansion)."""
    problems: list[Problem] = []
    seen: set[int] = set()

    def walk(node: yaml.Node, path: list) -> None:
        if id(node) in seen:
            problems.append(
                Problem(
                    _format_path(path, None),
                    "anchors and aliases (&name, *name) are not supported: write the text out",
                    node.start_mark.line + 1,
                )
            )
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value
                if key == "<<":
                    problems.append(
                        Problem(
                            _format_path(path, None),
                            "merge keys (<<) are not supported",
                            key_node.start_mark.line + 1,
                        )
                    )
                elif key in keys:
                    problems.append(
                        Problem(
                            _format_path(path, None),
                            f"the field '{key}' appears twice (first on line {keys[key]})",
                            key_node.start_mark.line + 1,
                        )
                    )
                else:
                    keys[key] = key_node.start_mark.line + 1
                walk(value_node, [*path, key])
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, [*path, index])

    walk(root, [])
    return problems


def _node_at(root: yaml.Node, path: list) -> yaml.Node:
    """The deepest node along *path* (the parent when the last step is missing)."""
    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            found = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            found = node.value[step] if step < len(node.value) else None
        else:
            found = None
        if found is None:
            break
        node = found
    return node


def _key_line(root: yaml.Node, path: list, key: str) -> int:
    """The line of *key* inside the mapping at *path* (for unknown fields)."""
    node = _node_at(root, path)
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if key_node.value == key:
                return key_node.start_mark.line + 1
    return node.start_mark.line + 1


def _format_path(path: list, doc: Any) -> str:
    """``sections[planning].descriptors``: list items by their key when they have one."""
    out = ""
    current = doc
    for step in path:
        if isinstance(step, int):
            item = current[step] if isinstance(current, list) and step < len(current) else None
            key = item.get("key") if isinstance(item, dict) else None
            label = key if isinstance(key, str) and re.fullmatch(KEY_PATTERN, key) else None
            out += f"[{label}]" if label else f"[#{step + 1}]"
            current = item
        else:
            out += f".{step}" if out else str(step)
            current = current.get(step) if isinstance(current, dict) else None
    return out


# --- schema errors as plain messages ---


def schema_problems(doc: dict, root: yaml.Node | None = None) -> list[Problem]:
    """Every JSON Schema error in *doc*, as ``Problem``s in document order."""
    problems = []
    for error in _VALIDATOR.iter_errors(doc):
        problems.extend(_explain(error, doc, root))
    return sorted(problems, key=lambda p: (p.line or 0, p.where, p.message))


def _explain(error: ValidationError, doc: dict, root: yaml.Node | None) -> list[Problem]:
    path = list(error.absolute_path)
    where = _format_path(path, doc)
    line = _node_at(root, path).start_mark.line + 1 if root is not None else None
    value = error.instance
    rule = error.validator
    if rule == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        out = []
        for extra in sorted(set(value) - set(allowed)):
            close = difflib.get_close_matches(str(extra), allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f"; allowed: {', '.join(allowed)}"
            out.append(
                Problem(
                    where,
                    f"unknown field '{extra}'{hint}",
                    _key_line(root, path, str(extra)) if root is not None else None,
                )
            )
        return out
    if rule == "required":
        match = re.match(r"'(.+)' is a required property", error.message)
        name = match.group(1) if match else error.message
        return [Problem(where, f"the field '{name}' is missing", line)]
    if "x-message" in error.schema and rule in ("pattern", "minLength"):
        return [Problem(where, f"{error.schema['x-message']} (found {_shown(value)})", line)]
    if rule == "type":
        expected = _TYPE_NAMES.get(error.validator_value, error.validator_value)
        return [Problem(where, f"must be {expected}, not {_kind(value)}", line)]
    if rule == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        return [Problem(where, f"{_shown(value)} is not allowed here; use one of: {options}", line)]
    if rule == "const":
        return [Problem(where, f"must be {error.validator_value} (found {_shown(value)})", line)]
    if rule == "minLength":
        if error.validator_value <= 1:
            return [Problem(where, "must not be empty", line)]
        return [Problem(where, f"must be at least {error.validator_value} characters", line)]
    if rule == "maxLength":
        return [Problem(where, f"must be at most {error.validator_value} characters", line)]
    if rule == "minItems":
        return [Problem(where, f"needs at least {error.validator_value} item(s)", line)]
    if rule == "maxItems":
        return [Problem(where, f"may have at most {error.validator_value} items", line)]
    if rule == "uniqueItems":
        repeated = sorted({str(v) for v in value if value.count(v) > 1})
        return [Problem(where, f"lists {', '.join(repeated)} more than once", line)]
    if rule == "minimum":
        return [Problem(where, f"must be at least {error.validator_value}", line)]
    if rule == "maximum":
        return [Problem(where, f"must be at most {error.validator_value}", line)]
    return [Problem(where, error.message, line)]


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # dates and times: YAML reads 2026-01-01 as a date


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- rules the schema cannot express ---


def _semantic_problems(doc: dict, root: yaml.Node) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: list, message: str) -> None:
        problems.append(
            Problem(_format_path(path, doc), message, _node_at(root, path).start_mark.line + 1)
        )

    for field, noun in (("sections", "section"), ("compliance", "question")):
        first: dict[str, int] = {}
        for index, item in enumerate(doc[field]):
            if item["key"] in first:
                add(
                    [field, index, "key"],
                    f"the key '{item['key']}' is already used by {noun} {first[item['key']] + 1}",
                )
            else:
                first[item["key"]] = index
    lookback = doc["lookback"]
    if lookback["judged_on_months"] > lookback["months"]:
        add(
            ["lookback", "judged_on_months"],
            f"cannot be longer than the look-back ({lookback['months']} months)",
        )
    for index, section in enumerate(doc["sections"]):
        may = section.get("may_be_not_applicable", False)
        if may and not section.get("not_applicable_when"):
            add(
                ["sections", index],
                "may_be_not_applicable is true: say when the section does not apply in "
                "'not_applicable_when'",
            )
        if not may and "not_applicable_when" in section:
            add(
                ["sections", index, "not_applicable_when"],
                "is set, but may_be_not_applicable is not true",
            )
    if doc["grading"]["limiting_judgement"] and not any(
        s["safety_critical"] for s in doc["sections"]
    ):
        add(
            ["grading", "limiting_judgement"],
            "is true, but no section is marked safety_critical: mark the sections whose "
            "inadequacy makes the whole audit inadequate",
        )
    asked = {q["key"] for q in doc["compliance"]}
    for key, label in REPORTED_COMPLIANCE.items():
        if key not in asked:
            add(
                ["compliance"],
                f"the question '{key}' is missing: the monthly report needs it for "
                f"'{label}' (word it for this toolkit's cohorts)",
            )
    return problems
