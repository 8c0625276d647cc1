"""The service's own case CSV, for councils whose system cannot produce the standard returns.

One row per open case: ``child_id, cohort, opened_on, team, worker`` are required, ``dob, sex,
ethnicity, disability, worker_email, iro`` optional (docs/formats.md#the-services-own-case-csv,
example in docs/examples/cases.csv). An optional column left out reads as "not given" (None, and
``iro_given`` False), so the import changes nothing that column would have set. The import
covers the cohorts that appear in the file.
"""

import re
from datetime import date

from qa_app.importers.common import (
    BadValue,
    RowProblems,
    header_key,
    parse_allocation,
    parse_bool,
    parse_child_id,
    parse_date,
    parse_ethnicity,
    parse_sex,
    strip_prefix,
    text,
)
from qa_app.importers.detect import OWN_CSV_COLUMNS, OWN_CSV_REQUIRED, Detected
from qa_app.importers.snapshot import ChildDetails, OpenCase, Snapshot, StructuralError
from qa_app.importers.sources import Limits, SourceFile, csv_rows, decode_text
from qa_app.models.vocab import COHORTS

FORMAT = "csv"
REQUIRED = OWN_CSV_REQUIRED
SHEET = ""
_SWE = re.compile(r"^SW\d{3,}$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COHORT_NAMES = {
    **{header_key(k): k for k in COHORTS},
    **{header_key(label): k for k, label in COHORTS.items()},
    **{
        header_key(name): key
        for name, key in (
            ("looked after", "cla"),
            ("child looked after", "cla"),
            ("children looked after", "cla"),
            ("lac", "cla"),
            ("cic", "cla"),
            ("child in care", "cla"),
            ("children in care", "cla"),
            ("children in need", "cin"),
            ("care leavers", "care_leaver"),
            ("short break", "short_breaks"),
            ("assessments", "assessment"),
        )
    },
}


def parse_cohort(value: object) -> str:
    key = header_key(strip_prefix(text(value)))
    if not key:
        raise BadValue("the cohort is blank")
    if key in COHORT_NAMES:
        return COHORT_NAMES[key]
    raise BadValue(f"not a cohort; use one of {', '.join(COHORTS)}")


def parse_disability(value: object) -> tuple[bool | None, str | None]:
    """``yes``/``no``, or DfE disability codes separated by ``;`` (``NONE`` is none)."""
    raw = text(value)
    if not raw:
        return None, None
    try:
        return parse_bool(raw), None
    except BadValue:
        pass
    codes = [c.strip().upper() for c in re.split(r"[;,|/ ]+", raw) if c.strip()]
    if not all(re.fullmatch(r"[A-Z]{3,5}", c) for c in codes):
        raise BadValue("not yes, no or disability codes such as HAND;HEAR") from None
    real = [c for c in codes if c != "NONE"]
    return bool(real), ",".join(real)[:200] or None


def parse_email(value: object) -> str | None:
    raw = text(value).lower()
    if not raw:
        return None
    if not _EMAIL.match(raw):
        raise BadValue("not an email address")
    return raw


def read_own_csv(
    source: SourceFile, as_of: date, limits: Limits, detected: Detected | None = None
) -> Snapshot:
    """Read the service's own case CSV into a snapshot at *as_of*."""
    snapshot = Snapshot(format=FORMAT, as_of=as_of, files=[source.name])
    if detected is not None and detected.text is not None:
        text_value, warning = detected.text, detected.text_warning
    else:
        text_value, warning = decode_text(source)
    if warning:
        snapshot.warnings.add("encoding", warning)
    rows = csv_rows(source, text_value, limits)
    first = next(rows, None)
    if first is None:
        raise StructuralError(f"{source.name}: the file is empty")
    _line, header = first
    keys = [header_key(h) for h in header]
    wanted = {header_key(c): c for c in OWN_CSV_COLUMNS}
    missing = [c for c in REQUIRED if header_key(c) not in keys]
    if missing:
        raise StructuralError(f"{source.name}: missing column(s) {', '.join(missing)}")
    extra = [h.strip() for h, k in zip(header, keys, strict=True) if k not in wanted]
    if extra:
        snapshot.warnings.add(
            "extra-columns", f"{source.name}: ignored column(s) {', '.join(extra)}"
        )
    columns = [wanted.get(k) for k in keys]
    count = 0
    for line, cells in rows:
        count += 1
        row = {c: v for c, v in zip(columns, cells, strict=False) if c}
        _row(source, line, row, snapshot)
    if count == 0:
        raise StructuralError(f"{source.name}: the file has a header but no rows")
    snapshot.finish()
    return snapshot


def _row(source: SourceFile, line: int, row: dict[str, str], snapshot: Snapshot) -> None:
    problems = RowProblems()
    child_id = problems.parse("child_id", row.get("child_id"), parse_child_id)
    parsers = {
        "cohort": parse_cohort,
        "dob": parse_date,
        "sex": parse_sex,
        "ethnicity": parse_ethnicity,
        "disability": parse_disability,
        "opened_on": parse_date,
        "team": parse_allocation,
        "worker": parse_allocation,
        "worker_email": parse_email,
        "iro": parse_allocation,
    }
    parsed = {
        column: problems.parse(column, row.get(column), parser)
        for column, parser in parsers.items()
    }
    if parsed["cohort"] is not None:
        snapshot.covers.add(parsed["cohort"])
    if parsed["opened_on"] is not None and parsed["opened_on"] > snapshot.as_of:
        problems.add(
            "opened_on",
            row.get("opened_on"),
            f"after the as-of date {snapshot.as_of:%d/%m/%Y}: not open on that date",
        )
    if problems:
        for column, value, reason in problems:
            snapshot.reject(source.name, SHEET, line, column, value, reason)
        if child_id:
            snapshot.unreadable.add(child_id)
        return
    has_disability, codes = parsed["disability"]
    snapshot.child(
        ChildDetails(
            child_id,
            dob=parsed["dob"],
            sex=parsed["sex"],
            ethnicity=parsed["ethnicity"],
            has_disability=has_disability,
            disability_codes=codes,
        )
    )
    worker = parsed["worker"]
    swe = worker.upper() if worker and _SWE.match(worker) else None
    snapshot.offer(
        OpenCase(
            la_child_id=child_id,
            cohort=parsed["cohort"],
            opened_on=parsed["opened_on"],
            team=parsed["team"],
            worker=None if swe else worker,
            worker_swe=swe,
            worker_email=parsed["worker_email"],
            iro=parsed["iro"],
            iro_given="iro" in row,
            source=f"{source.name} row {line}",
        )
    )
