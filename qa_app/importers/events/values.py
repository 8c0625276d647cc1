"""Reading the event columns: dates and counts strictly (a bad one rejects the row's events),
codes leniently (an unknown code is kept blank, with a warning naming the column).

Strict parsers raise ``BadValue``; lenient ones raise ``Unrecognised``, which the readers turn
into a grouped warning.
"""

import re

from qa_app.importers.common import (
    BadValue,
    parse_bool,
    parse_date,
    parse_legal_status,
    strip_prefix,
    text,
)

CODE_CHARS = 60


class Unrecognised(ValueError):
    """A code the service does not know: kept blank, with a warning."""


def as_date(value, epoch):
    return parse_date(value, epoch=epoch)


def as_count(value) -> int | None:
    """A whole number of 0 or more (``3``, ``3.0``, ``"3"``); blank is None."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise BadValue("not a whole number")
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise BadValue("not a whole number")
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        raw = text(value)
        if raw.upper() in ("", "NULL", "#N/A", "N/A"):
            return None
        if not re.fullmatch(r"\d{1,6}(\.0+)?", raw):
            raise BadValue("not a whole number")
        number = int(float(raw))
    if number < 0 or number > 999_999:
        raise BadValue("not a count (0 or more)")
    return number


def as_bool(value) -> bool | None:
    """Yes or no; ``c) Unknown`` and other answers are blank (unknown ones with a warning)."""
    raw = strip_prefix(text(value)).casefold()
    if raw in ("", "unknown", "not known", "n/a", "#n/a", "null"):
        return None
    try:
        return parse_bool(value)
    except BadValue as exc:
        raise Unrecognised(str(value)) from exc


def as_text(value) -> str | None:
    """A code or label as clean text without its ``a)`` prefix, at most 60 characters."""
    raw = strip_prefix(text(value))
    if raw.upper() in ("", "NULL", "#N/A"):
        return None
    return raw[:CODE_CHARS]


def as_legal_status(value) -> str | None:
    try:
        return parse_legal_status(value)
    except BadValue as exc:
        raise Unrecognised(str(value)) from exc


def as_short_code(value) -> str | None:
    """``A5: Placed for adoption`` -> ``A5``; a bare code as it is (at most 6 characters)."""
    raw = as_text(value)
    if raw is None:
        return None
    return re.split(r"[\s:]", raw, maxsplit=1)[0].upper()[:6]


_IN_TOUCH = {
    "yes": "YES", "y": "YES", "no": "NO", "n": "NO", "died": "DIED", "refu": "REFU",
    "refused": "REFU", "nreq": "NREQ", "rhom": "RHOM",
}  # fmt: skip


def as_in_touch(value) -> str | None:
    raw = as_text(value)
    if raw is None:
        return None
    code = _IN_TOUCH.get(raw.casefold().split(":")[0].strip())
    if code is None:
        raise Unrecognised(raw)
    return code


def as_accommodation(value) -> str | None:
    """``U: Independent living`` -> ``U``."""
    raw = as_text(value)
    if raw is None:
        return None
    match = re.match(r"^([A-Z])(?::|\s|$)", raw.upper())
    if not match:
        raise Unrecognised(raw)
    return match.group(1)


def as_activity(value) -> str | None:
    """``F1: Full time in higher education`` -> ``F1``."""
    raw = as_text(value)
    if raw is None:
        return None
    match = re.match(r"^([FPG]\d)\b", raw.upper())
    if not match:
        raise Unrecognised(raw)
    return match.group(1)


def as_suitable(value) -> bool | None:
    raw = as_text(value)
    if raw is None:
        return None
    folded = raw.casefold()
    if folded.startswith(("unsuitable", "not suitable", "no")):
        return False
    if folded.startswith(("suitable", "yes")):
        return True
    raise Unrecognised(raw)


def as_location(value) -> str | None:
    raw = as_text(value)
    if raw is None:
        return None
    folded = raw.casefold()
    if folded.startswith("in"):
        return "in"
    if folded.startswith("out"):
        return "out"
    raise Unrecognised(raw)


STRICT = frozenset({"date", "count"})
PARSERS = {
    "count": as_count,
    "bool": as_bool,
    "text": as_text,
    "legal": as_legal_status,
    "code": as_short_code,
    "in_touch": as_in_touch,
    "accommodation": as_accommodation,
    "activity": as_activity,
    "suitable": as_suitable,
    "location": as_location,
}
