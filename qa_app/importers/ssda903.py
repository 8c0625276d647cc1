"""DfE SSDA903 (children looked after): CSV tables recognised by their columns, or the
``EXPSSDA903`` XML.

A child is looked after on D if any episode is open on D; if every open episode has legal status
V3 or V4 the case is ``short_breaks``, otherwise ``cla``. The worker is the SWEpisodes row open on
D (a Social Work England number); the return names no team.
"""

from dataclasses import dataclass, field
from datetime import date

from qa_app.importers.common import (
    RowProblems,
    header_key,
    is_open,
    is_short_break,
    parse_child_id,
    parse_date,
    parse_ethnicity,
    parse_legal_status,
    parse_sex,
    text,
)
from qa_app.importers.detect import SSDA903_TABLES, Detected
from qa_app.importers.events import ssda903 as events
from qa_app.importers.snapshot import ChildDetails, OpenCase, Snapshot, StructuralError
from qa_app.importers.sources import Limits, SourceFile, csv_rows, decode_text
from qa_app.importers.xmlsafe import iter_elements, local, text_of

FORMAT = "ssda903"
COVERS = frozenset({"cla", "short_breaks"})
USED_TABLES = ("Header", "Episodes", "SWEpisodes", "Reviews", "Missing")
REQUIRED = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC"),
    "Episodes": ("CHILD", "DECOM", "LS", "DEC"),
    "SWEpisodes": ("CHILD", "SW_ID", "SW_DECOM", "SW_DEC"),
    # Read for their events only (docs/indicators.md).
    "Reviews": ("CHILD", "REVIEW", "REVIEW_CODE"),
    "Missing": ("CHILD", "MISSING", "MIS_START", "MIS_END"),
}


@dataclass
class Episode:
    start: date
    end: date | None
    legal_status: str | None
    where: str


@dataclass
class _Collected:
    episodes: dict[str, list[Episode]] = field(default_factory=dict)
    workers: dict[str, list[tuple[date, date | None, str]]] = field(default_factory=dict)
    headers: dict[str, tuple[ChildDetails, str]] = field(default_factory=dict)
    has_workers: bool = False
    # Every episode with all its columns, for the events kept beside the cases.
    episode_rows: dict[str, list[tuple]] = field(default_factory=dict)


class _RowRejected(Exception):
    """Every problem of a row, with its child id when that could be read."""

    def __init__(self, problems: RowProblems, child_id: str | None):
        super().__init__("; ".join(reason for _c, _v, reason in problems))
        self.problems, self.child_id = problems, child_id


def _header_row(row: dict[str, str], snapshot, collected, where) -> None:
    problems = RowProblems()
    child_id = problems.parse("CHILD", row.get("CHILD"), parse_child_id)
    details = ChildDetails(child_id)
    details.sex = problems.parse("SEX", row.get("SEX"), parse_sex)
    details.dob = problems.parse("DOB", row.get("DOB"), parse_date)
    details.ethnicity = problems.parse("ETHNIC", row.get("ETHNIC"), parse_ethnicity)
    if problems:
        raise _RowRejected(problems, None)
    known = collected.headers.get(child_id)
    if known is None:
        collected.headers[child_id] = (details, where)
        return
    first, first_where = known
    differ = [
        column
        for column, name in (("SEX", "sex"), ("DOB", "dob"), ("ETHNIC", "ethnicity"))
        if getattr(details, name) is not None and getattr(details, name) != getattr(first, name)
    ]
    if differ:
        snapshot.warnings.add(
            "header-conflict",
            f"{where}: child {child_id} has another header row ({first_where}) with a different "
            f"{', '.join(differ)}; the first is used",
        )


def _episode_row(row: dict[str, str], snapshot, collected, where) -> str:
    problems = RowProblems()
    child_id = problems.parse("CHILD", row.get("CHILD"), parse_child_id)
    start = problems.parse("DECOM", row.get("DECOM"), parse_date)
    if start is None and "DECOM" not in problems.columns():
        problems.add("DECOM", "", "the episode start date (DECOM) is blank")
    end = problems.parse("DEC", row.get("DEC"), parse_date)
    status = problems.parse("LS", row.get("LS"), parse_legal_status)
    if problems:
        raise _RowRejected(problems, child_id)
    collected.episodes.setdefault(child_id, []).append(Episode(start, end, status, where))
    collected.episode_rows.setdefault(child_id, []).append(events.episode(row, start, end, status))
    return child_id


def _worker_row(row: dict[str, str], snapshot, collected, where) -> None:
    problems = RowProblems()
    child_id = problems.parse("CHILD", row.get("CHILD"), parse_child_id)
    start = problems.parse("SW_DECOM", row.get("SW_DECOM"), parse_date)
    end = problems.parse("SW_DEC", row.get("SW_DEC"), parse_date)
    if problems:
        raise _RowRejected(problems, None)
    worker = text(row.get("SW_ID")).upper()
    if worker and start is not None:
        collected.workers.setdefault(child_id, []).append((start, end, worker))


def _event_row(table: str):
    def handle(row: dict[str, str], snapshot, collected, where) -> None:
        problems = RowProblems()
        child_id = problems.parse("CHILD", row.get("CHILD"), parse_child_id)
        reader = events.review if table == "Reviews" else events.missing
        for column, reason in reader(snapshot.events, child_id, row, keep=not problems):
            problems.add(column, events.value(row, column), reason)
        if problems:
            raise _RowRejected(problems, None)

    return handle


HANDLERS = {
    "Header": _header_row,
    "Episodes": _episode_row,
    "SWEpisodes": _worker_row,
    "Reviews": _event_row("Reviews"),
    "Missing": _event_row("Missing"),
}


def _handle(table, row, snapshot, collected, file, sheet, line) -> None:
    where = f"{file}, {sheet} row {line}"
    try:
        HANDLERS[table](row, snapshot, collected, where)
    except _RowRejected as exc:
        for column, value, reason in exc.problems:
            snapshot.reject(file, sheet, line, column, value, reason)
        if exc.child_id:
            snapshot.unreadable.add(exc.child_id)


def _read_csv(source, detected: Detected, snapshot, collected, limits) -> None:
    table = detected.table
    if table not in USED_TABLES:
        snapshot.warnings.add(
            "unused-table",
            f"{source.name}: an SSDA903 {table} table, not needed for open cases; not read",
        )
        return
    if detected.text_warning:
        snapshot.warnings.add("encoding", detected.text_warning)
    text_value = detected.text if detected.text is not None else decode_text(source)[0]
    rows = csv_rows(source, text_value, limits)
    _line, header = next(rows)
    keys = [header_key(h) for h in header]
    missing = [c for c in REQUIRED[table] if header_key(c) not in keys]
    if missing:
        raise StructuralError(
            f"{source.name}: the SSDA903 {table} table is missing column(s) {', '.join(missing)}"
        )
    names = {header_key(c): c for c in SSDA903_TABLES[table] | set(REQUIRED[table])}
    upper = {header_key(c): c for c in REQUIRED[table]}
    columns = [upper.get(k) or names.get(k, "").upper() for k in keys]
    extra = [h.strip() for h, k in zip(header, keys, strict=True) if k not in SSDA903_TABLES[table]]
    if extra:
        snapshot.warnings.add(
            "extra-columns", f"{source.name}: ignored column(s) {', '.join(extra)}"
        )
    if table == "SWEpisodes":
        collected.has_workers = True
    for line, cells in rows:
        row = {c: v for c, v in zip(columns, cells, strict=False) if c}
        _handle(table, row, snapshot, collected, source.name, table, line)


def _read_xml(source, snapshot, collected, limits) -> None:
    count = 0
    for child in iter_elements(source, {"CHILD"}):
        count += 1
        if count > limits.max_rows:
            raise StructuralError(f"{source.name}: more than {limits.max_rows:,} children")
        for part in child:
            name = local(part.tag).upper()
            row = {local(e.tag).upper(): text_of(e) for e in part}
            if name == "HEADER":
                row["CHILD"] = row.get("CHILDID", "")
                _handle("Header", row, snapshot, collected, source.name, "HEADER", count)
            elif name == "EPISODE":
                row["CHILD"] = text_of(_find(child, "CHILDID"))
                row.setdefault("PLACE", row.get("PL", ""))
                _handle("Episodes", row, snapshot, collected, source.name, "EPISODE", count)
            elif name in ("REVIEW", "REVIEWS", "MISSING", "MISSINGS"):
                table = "Reviews" if name.startswith("REVIEW") else "Missing"
                row["CHILD"] = text_of(_find(child, "CHILDID"))
                _handle(table, row, snapshot, collected, source.name, name, count)
            elif name in ("SWEPISODE", "SW_EPISODE", "SWEPISODES"):
                collected.has_workers = True
                row["CHILD"] = text_of(_find(child, "CHILDID"))
                _handle("SWEpisodes", row, snapshot, collected, source.name, name, count)
    if count == 0:
        raise StructuralError(f"{source.name}: the SSDA903 file contains no CHILD elements")


def _find(child, name):
    for header in child:
        if local(header.tag).upper() == "HEADER":
            for element in header:
                if local(element.tag).upper() == name:
                    return element
    return None


def _period_start(episodes: list[Episode], as_of: date) -> date:
    """The start of the period of care open on D: episodes that overlap or follow on (the
    next starting the day the last ends) form one period."""
    period_start, period_end = None, None
    for episode in sorted(episodes, key=lambda e: e.start):
        joins = period_start is not None and (period_end is None or episode.start <= period_end)
        if joins:
            if period_end is not None:
                period_end = None if episode.end is None else max(period_end, episode.end)
        else:
            if period_start is not None and is_open(period_start, period_end, as_of):
                break
            period_start, period_end = episode.start, episode.end
    return period_start


def _resolve(snapshot: Snapshot, collected: _Collected) -> None:
    as_of = snapshot.as_of
    for details, _where in collected.headers.values():
        snapshot.child(details)
    for child_id, episodes in collected.episodes.items():
        snapshot.child(ChildDetails(child_id))
        open_now = [e for e in episodes if is_open(e.start, e.end, as_of)]
        if not open_now:
            continue
        for episode in open_now:
            if episode.legal_status is None:
                snapshot.warnings.add(
                    "no-legal-status",
                    f"{episode.where}: legal status (LS) blank; counted as looked after "
                    "(not a short break)",
                )
        short = all(is_short_break(e.legal_status) for e in open_now)
        worker = None
        spells = [w for w in collected.workers.get(child_id, []) if is_open(w[0], w[1], as_of)]
        if spells:
            worker = max(spells, key=lambda w: w[0])[2]
        snapshot.offer(
            OpenCase(
                la_child_id=child_id,
                cohort="short_breaks" if short else "cla",
                opened_on=_period_start(episodes, as_of),
                team_given=False,
                worker_given=collected.has_workers,
                worker_swe=worker,
                source=open_now[0].where,
            )
        )


def read_ssda903(
    sources: list[tuple[SourceFile, Detected]], as_of: date, limits: Limits, progress=None
) -> Snapshot:
    """Read SSDA903 tables and/or XML files (together: one return) into one snapshot."""
    snapshot = Snapshot(
        format=FORMAT, as_of=as_of, covers=set(COVERS), files=[s.name for s, _ in sources]
    )
    collected = _Collected()
    tables = {}
    for source, detected in sources:
        if detected.table:
            if detected.table in tables and detected.table in USED_TABLES:
                raise StructuralError(
                    f"{source.name}: a second SSDA903 {detected.table} table "
                    f"(the first is {tables[detected.table]}); combine them into one file"
                )
            tables[detected.table] = source.name
            _read_csv(source, detected, snapshot, collected, limits)
        else:
            tables["xml"] = source.name
            _read_xml(source, snapshot, collected, limits)
    if "Episodes" not in tables and "xml" not in tables:
        raise StructuralError(
            "SSDA903: no Episodes table among the files; it is the table that says who is "
            "looked after"
        )
    if "Header" not in tables and "xml" not in tables:
        snapshot.warnings.add(
            "no-header",
            "SSDA903: no Header table; children's date of birth, sex and ethnicity not updated",
        )
    if not collected.episodes and not snapshot.rejected:
        raise StructuralError("SSDA903: the Episodes table has no rows")
    _resolve(snapshot, collected)
    events.hold(snapshot.events, set(tables), as_of)
    events.periods(snapshot.events, collected.episode_rows)
    snapshot.finish()
    return snapshot
