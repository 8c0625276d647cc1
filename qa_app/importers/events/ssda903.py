"""The events in an SSDA903 return: every episode, the periods of care they make, reviews and
missing or absent episodes. Codes are kept as the return writes them (no team or worker: the
return names none)."""

from datetime import date

from qa_app.importers.common import BadValue, parse_date
from qa_app.importers.events import EventBatch, covered_period
from qa_app.importers.events.values import as_short_code

SOURCE = "ssda903"
EPISODE_KINDS = ("cla_periods", "cla_episodes")
TABLE_KINDS = {"Reviews": "cla_reviews", "Missing": "missing_episodes"}


def value(row: dict[str, str], name: str) -> str:
    """A column by its SSDA903 name, written with or without underscores (CSV and XML)."""
    found = row.get(name)
    if found is None:
        found = row.get(name.replace("_", ""))
    return found or ""


def hold(batch: EventBatch, tables: set[str], as_of: date) -> None:
    period = covered_period(as_of)
    if {"Episodes", "xml"} & tables:
        for kind in EPISODE_KINDS:
            batch.hold(kind, period)
    for table, kind in TABLE_KINDS.items():
        if table in tables or "xml" in tables:
            batch.hold(kind, period)


def episode(row: dict[str, str], start: date, end: date | None, status: str | None) -> tuple:
    """The episode's fields after its dates and legal status (read by the case reader)."""
    codes = [as_short_code(value(row, c)) for c in ("RNE", "CIN", "PLACE", "PLACE_PROVIDER",
                                                      "REC", "REASON_PLACE_CHANGE")]  # fmt: skip
    rne, need, place, provider, rec, change = codes
    urn = value(row, "URN").strip()[:20] or None
    return (start, end, rne, status, need, place, provider, rec, change, urn)


def _date(row, name, problems: list[tuple[str, str]], required=False):
    raw = value(row, name)
    try:
        parsed = parse_date(raw)
    except BadValue as exc:
        problems.append((name, str(exc)))
        return None
    if parsed is None and required:
        problems.append((name, "blank"))
    return parsed


def review(batch: EventBatch, child_id, row: dict[str, str], *, keep=True) -> list:
    """A Reviews table row, kept if it has no problem and *keep*; returns its problems
    as (column, reason)."""
    problems: list[tuple[str, str]] = []
    when = _date(row, "REVIEW", problems, required=True)
    code = as_short_code(value(row, "REVIEW_CODE"))
    if keep and not problems:
        batch.add("cla_reviews", (child_id, SOURCE, None, None, when, code))
    return problems


def missing(batch: EventBatch, child_id, row: dict[str, str], *, keep=True) -> list:
    """A Missing table row (``MISSING`` M or A), as ``review``."""
    problems: list[tuple[str, str]] = []
    start = _date(row, "MIS_START", problems, required=True)
    end = _date(row, "MIS_END", problems)
    kind = "absent" if value(row, "MISSING").strip().upper().startswith("A") else "missing"
    if keep and not problems:
        batch.add("missing_episodes", (child_id, SOURCE, None, None, start, end, kind))
    return problems


def periods(batch: EventBatch, episodes: dict[str, list[tuple]]) -> None:
    """Every episode, and the periods of care they make: episodes that overlap or follow on
    (the next beginning on or before the day the last ends) are one period. A period's legal
    status is its last episode's, its category of need its first's, and its reason ceased the
    last episode's reason for ending."""
    for child_id, rows in episodes.items():
        current = None
        for row in sorted(rows, key=lambda r: (r[0], r[1] or date.max)):
            batch.add("cla_episodes", (child_id, SOURCE, None, None, *row))
            start, end = row[0], row[1]
            if current is not None and (current["end"] is None or start <= current["end"]):
                if current["end"] is not None:
                    current["end"] = None if end is None else max(current["end"], end)
                current["last"] = row
                continue
            if current is not None:
                _period(batch, child_id, current)
            current = {"start": start, "end": end, "first": row, "last": row}
        if current is not None:
            _period(batch, child_id, current)


def _period(batch: EventBatch, child_id: str, period: dict) -> None:
    last = period["last"]
    ceased = last[7] if period["end"] is not None else None
    batch.add(
        "cla_periods",
        (child_id, SOURCE, None, None, period["start"], period["end"], last[3], None,
         period["first"][4], None, None, None, ceased),
    )  # fmt: skip
