"""Cleaning shared by every reader: ids, dates, codes, booleans and header matching.

Each ``parse_*`` function returns the cleaned value, ``None`` for a blank, and raises
``BadValue`` (with a reason a person can act on) for anything else; the reader turns that into a
rejected row naming the file, sheet, row and column (docs/formats.md#rules-every-format-shares).
"""

import re
from datetime import date, datetime, timedelta

from qa_app.textnorm import FORMULA_STARTS, clean_text


class BadValue(ValueError):
    """A cell whose value cannot be read; the message is the reason shown to the user."""


class RowProblems:
    """Every problem of one row, so a person fixes the row once rather than once per cell.

    ``parse`` runs a parser on a cell and returns its value, or *default* after noting the
    column, value and reason; the reader rejects the row when there is any problem
    (docs/formats.md#rejected-rows).
    """

    def __init__(self) -> None:
        self.items: list[tuple[str, object, str]] = []

    def parse(self, column: str, value, parser, default=None):
        try:
            return parser(value)
        except BadValue as exc:
            self.add(column, value, str(exc))
            return default

    def add(self, column: str, value, reason: str) -> None:
        self.items.append((column, value, reason))

    def columns(self) -> set[str]:
        return {column for column, _value, _reason in self.items}

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self):
        return iter(self.items)


# Values that mean "nobody": the case is kept, marked unallocated and reported.
NO_ALLOCATION = frozenset({"", "#n/a", "n/a", "na", "null", "none", "unallocated", "-", "0"})
MAX_CELL_CHARS = 500
EXCEL_EPOCH = date(1899, 12, 30)
# Excel serials for 1 January 1900 and 31 December 2099: anything outside is not a date here.
SERIAL_MIN, SERIAL_MAX = 2, 73050
_PREFIX = re.compile(r"^[a-z]{1,2}\)\s*", re.IGNORECASE)
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_HEADER_NOISE = re.compile(r"[\s'\"`\u2018\u2019\u201c\u201d_\-]+")
_FLOAT_ID = re.compile(r"^(\d+)\.0+$")
_ID_SPACE = re.compile(r"\s+")

# DfE ethnicity codes (CIN census, SSDA903 and Annex A all use them).
ETHNICITY_CODES = frozenset(
    [
        "WBRI",
        "WIRI",
        "WIRT",
        "WOTH",
        "WROM",
        "MWBC",
        "MWBA",
        "MWAS",
        "MOTH",
        "AIND",
        "APKN",
        "ABAN",
        "AOTH",
        "BCRB",
        "BAFR",
        "BOTH",
        "CHNE",
        "OOTH",
        "REFU",
        "NOBT",
    ]
)
_SEX = {
    "m": "M", "male": "M", "1": "M", "boy": "M",
    "f": "F", "female": "F", "2": "F", "girl": "F",
    "u": "U", "0": "U", "9": "U", "unknown": "U", "not known": "U", "not stated": "U",
    "not stated/recorded": "U", "not recorded": "U", "not specified": "U",
    "indeterminate": "U", "neither": "U", "other": "U", "unborn": "U",
}  # fmt: skip
_TRUE = frozenset({"yes", "y", "1", "true", "t"})
_FALSE = frozenset({"no", "n", "0", "false", "f"})


def text(value: object) -> str:
    """A cell as clean text: NFKC, NBSP to space, straight quotes, single spaces (textnorm)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS * 4:
        raise BadValue(f"longer than {MAX_CELL_CHARS:,} characters")
    cleaned = clean_text(value)
    if len(cleaned) > MAX_CELL_CHARS:
        raise BadValue(f"longer than {MAX_CELL_CHARS:,} characters")
    return cleaned


def strip_prefix(value: str) -> str:
    """``b) Female`` -> ``Female``: Annex A templates number their drop-down choices."""
    return _PREFIX.sub("", value, count=1)


def header_key(value: object) -> str:
    """A header as a key: case-, space-, underscore- and quote-insensitive (``Child's  Legal
    Status `` == ``childs legal status``; ``child_id`` == ``Child ID``)."""
    return _HEADER_NOISE.sub("", clean_text(value).casefold())


def parse_child_id(value: object) -> str:
    """The council's child id as text: spaces removed, ``9212044.0`` -> ``9212044``, leading
    zeros kept."""
    if isinstance(value, bool):
        raise BadValue("not a child id")
    if isinstance(value, int):
        result = str(value)
    elif isinstance(value, float):
        if not value.is_integer():
            raise BadValue("not a child id (a number with a fraction)")
        result = str(int(value))
    else:
        result = _ID_SPACE.sub("", text(value))
        match = _FLOAT_ID.match(result)
        if match:
            result = match.group(1)
    if not result:
        raise BadValue("the child id is blank")
    if result[0] in FORMULA_STARTS:
        # Exports would carry it into spreadsheets, which run a cell starting so as a formula.
        raise BadValue(
            f"a child id cannot begin with {result[0]!r}: spreadsheets read it as a formula"
        )
    if len(result) > 40:
        raise BadValue("a child id is at most 40 characters")
    return result


def excel_serial(number: float, *, epoch: date = EXCEL_EPOCH) -> date:
    if not (SERIAL_MIN <= number <= SERIAL_MAX):
        raise BadValue("a number that is not an Excel date between 1900 and 2099")
    return epoch + timedelta(days=int(number))


def parse_date(value: object, *, epoch: date = EXCEL_EPOCH) -> date | None:
    """A real Excel date, an Excel serial number, ``dd/mm/yyyy`` or ``yyyy-mm-dd`` text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise BadValue("not a date")
    if isinstance(value, int | float):
        return excel_serial(value, epoch=epoch)
    raw = text(value)
    if raw.upper() in ("", "NULL", "#N/A"):
        return None
    match = _DMY.match(raw)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        match = _ISO.match(raw)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError as exc:
        raise BadValue("not a real date") from exc
    if re.fullmatch(r"\d{5}(\.0+)?", raw):
        return excel_serial(float(raw), epoch=epoch)
    raise BadValue("not a date: use dd/mm/yyyy or yyyy-mm-dd")


def parse_sex(value: object) -> str | None:
    """M, F or U from ``Female``, ``b) Female``, ``F``, ``2``, ``Not stated/recorded``..."""
    raw = strip_prefix(text(value)).casefold()
    if not raw:
        return None
    if raw in _SEX:
        return _SEX[raw]
    raise BadValue("not a sex or gender code (male, female or not known)")


def parse_bool(value: object) -> bool | None:
    """``Yes``, ``a) Yes``, ``Y``, ``1``, ``true`` and their opposites."""
    if isinstance(value, bool):
        return value
    raw = strip_prefix(text(value)).casefold()
    if not raw:
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise BadValue("not yes or no")


def parse_ethnicity(value: object) -> str | None:
    """A DfE ethnicity code, with or without a prefix (``a) WBRI``)."""
    raw = strip_prefix(text(value)).upper()
    if not raw:
        return None
    code = raw.split(":")[0].split(" ")[0].strip()
    if code in ETHNICITY_CODES:
        return code
    raise BadValue("not a DfE ethnicity code (such as WBRI, MWBA, NOBT, REFU)")


def parse_allocation(value: object) -> str | None:
    """A team or worker name; ``#N/A``, blank and ``NULL`` mean nobody (unallocated)."""
    raw = text(value)
    if raw.casefold() in NO_ALLOCATION:
        return None
    return raw


def parse_legal_status(value: object) -> str | None:
    """``E1: Placement order`` or ``V3`` -> the legal status code."""
    raw = strip_prefix(text(value)).upper()
    if not raw:
        return None
    match = re.match(r"^([A-Z]\d{1,2})\b", raw)
    if not match:
        raise BadValue("not an SSDA903 legal status code (such as C2, E1, V3)")
    return match.group(1)


def is_short_break(legal_status: str | None) -> bool:
    return legal_status in ("V3", "V4")


def is_open(start: date | None, end: date | None, as_of: date) -> bool:
    """Open on D when ``start <= D`` (a blank start counts as started) and (``end`` is blank or
    ``end > D``): docs/formats.md#an-import-is-a-snapshot-at-an-as-of-date."""
    return (start is None or start <= as_of) and (end is None or end > as_of)
