"""Ofsted ILACS Annex A workbooks (.xlsx with openpyxl in read-only mode, legacy .xls with xlrd).

Lists 4, 6, 7, 8 and 9 are case lists; lists 1-3, 5 and 10 give children's details only; List 11
(adopters) is not read. The header row is found by its content, below any title or blank rows.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from qa_app.importers.common import (
    BadValue,
    RowProblems,
    header_key,
    is_open,
    is_short_break,
    parse_allocation,
    parse_bool,
    parse_child_id,
    parse_date,
    parse_ethnicity,
    parse_legal_status,
    parse_sex,
)
from qa_app.importers.detect import SHEET_LIST
from qa_app.importers.events.annex_a import MEMO_LIMIT, SheetEvents, known_headers
from qa_app.importers.snapshot import ChildDetails, OpenCase, Snapshot, StructuralError
from qa_app.importers.sources import Limits, SourceFile
from qa_app.importers.workbook import Sheet, Workbook, open_workbook

FORMAT = "annex-a"
COVERS = frozenset({"assessment", "cin", "cp", "cla", "short_breaks", "care_leaver"})
HEADER_SEARCH_ROWS = 30
_SWE = re.compile(r"^SW\d{3,}$", re.IGNORECASE)


def _keys(*names: str) -> tuple[str, ...]:
    return tuple(header_key(n) for n in names)


CHILD_ID = _keys("Child Unique ID", "Child ID", "Unique Child ID", "Child Unique Identifier")
DETAILS = {
    "dob": _keys("Date of Birth", "DOB"),
    "sex": _keys("Gender", "Sex"),
    "ethnicity": _keys("Ethnicity"),
    "disability": _keys("Does the Child have a Disability", "Disability"),
}
ALLOCATION = {
    "team": _keys("Allocated Team"),
    "worker": _keys("Allocated Worker", "Allocated Social Worker", "Allocated Personal Advisor"),
}
ALWAYS_KNOWN = _keys("Age", "Age of Child (Years)", "Case status", "Family identifier")


@dataclass(frozen=True)
class CaseList:
    number: int
    title: str
    cohort: str
    start: tuple[str, ...] = ()
    end: tuple[str, ...] = ()
    legal_status: tuple[str, ...] = ()
    # Columns of the official template that are read for nothing: no "ignored column" warning.
    official: tuple[str, ...] = field(default=())


CASE_LISTS = {
    4: CaseList(
        4,
        "assessments",
        "assessment",
        start=_keys("Continuous Assessment Start Date"),
        end=_keys("Continuous Assessment Date of Authorisation"),
        official=_keys(
            "Child Seen During Continuous Assessment",
            "Was the child assessed as requiring LA children's social care support?",
        ),
    ),
    6: CaseList(
        6,
        "children in need",
        "cin",
        start=_keys("CIN Start Date"),
        end=_keys("CIN Closure Date"),
        official=_keys(
            "Primary Need Code", "Date Child Was Last Seen", "Reason for Closure", "Case Status"
        ),
    ),
    7: CaseList(
        7,
        "child protection",
        "cp",
        start=_keys("Child Protection Plan Start Date"),
        end=_keys("Child Protection Plan End Date"),
        official=_keys(
            "Initial Category of Abuse",
            "Latest Category of Abuse",
            "Date of the Last Statutory Visit",
            "Was the Child Seen Alone?",
            "Date of latest review conference",
            "Subject to Emergency Protection Order or Protected Under Police Powers in Last "
            "Six Months (Y/N)",
            "Number of Previous Child Protection Plans",
        ),
    ),
    8: CaseList(
        8,
        "children in care",
        "cla",
        start=_keys("Date Started to be Looked After"),
        end=_keys("Date Ceased to be Looked After"),
        legal_status=_keys("Child's Legal Status", "Legal Status"),
        official=_keys(
            "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))",
            "Child's Category of Need",
            "Is this a second or subsequent period of being a Looked After Child within the "
            "last 12 months (Y/N)",
            "Start date of current legal status",
            "Date of Latest Statutory Review",
            "Date of Last Social Work Visit",
            "What is the permanence plan for this child?",
            "Date of Last IRO Visit / Contact to the Child",
            "Date of Last Health Assessment",
            "Date of Last Dental Check",
            "Number of Placements in the Last 12 months",
            "Reason Ceased to be Looked After",
            "Start Date of Most Recent Placement",
            "Placement Type",
            "Placement Provider",
            "Placement postcode",
            "URN of Placement",
            "Placement Location",
            "LA of Placement",
            "Number of Episodes the Child has been 'Missing' from their Placement in the last "
            "12 months",
            "Number of Episodes the Child has been 'Absent' from their Placement in the last "
            "12 months",
            "Was the child offered a Return Interview after their last missing episode (Y/N)?",
            "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        ),
    ),
    9: CaseList(
        9,
        "care leavers",
        "care_leaver",
        official=_keys(
            "Eligibility Category",
            "LA in Touch",
            "Type of Accommodation",
            "Suitability of Accommodation",
            "Activity Status",
        ),
    ),
}
DETAIL_LISTS = (1, 2, 3, 5, 10)
NOT_READ = (11,)  # adopters, not children


# --- reading ---------------------------------------------------------------------------------


def _find_lists(source: SourceFile, book: Workbook) -> dict[int, Sheet]:
    lists: dict[int, Sheet] = {}
    for sheet in book.sheets:
        match = SHEET_LIST.match(sheet.name)
        if not match:
            continue
        number = int(match.group(1))
        if number in lists:
            raise StructuralError(
                f"{source.name}: two sheets for List {number} "
                f"({lists[number].name!r} and {sheet.name!r}); keep one"
            )
        lists[number] = sheet
    missing = [n for n in CASE_LISTS if n not in lists]
    if missing:
        names = ", ".join(repr(s.name) for s in book.sheets[:12])
        wanted = ", ".join(f"List {n} ({CASE_LISTS[n].title})" for n in missing)
        raise StructuralError(
            f"{source.name}: missing sheet {wanted}; the workbook has {names}. An Annex A import "
            "replaces every cohort, so every case list (4, 6, 7, 8 and 9) must be present"
        )
    return lists


def _column(header: dict[str, int], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header[name]
    return None


class _ListReader:
    """Reads one list sheet into the snapshot."""

    def __init__(self, source, sheet, number, snapshot, limits, epoch):
        self.source, self.sheet, self.number = source, sheet, number
        self.snapshot, self.limits, self.epoch = snapshot, limits, epoch
        self.spec = CASE_LISTS.get(number)
        self.events: SheetEvents | None = None
        self.memo: dict[tuple, tuple[bool, object]] = {}

    def reject(self, row: int, column: str, value, reason: str, child_id: str | None) -> None:
        self.snapshot.reject(self.source.name, self.sheet.name, row, column, value, reason)
        if child_id is not None and self.spec is not None:
            self.snapshot.unreadable.add(child_id)

    def _header(self, rows: Iterator[tuple]) -> tuple[int, list[str], dict[str, int]] | None:
        for number, values in enumerate(rows, start=1):
            if number > HEADER_SEARCH_ROWS:
                return None
            keys = [header_key(v) if v is not None else "" for v in values]
            if any(k in CHILD_ID for k in keys):
                labels = ["" if v is None else str(v).strip() for v in values]
                index = {}
                for i, key in enumerate(keys):
                    if key and key not in index:
                        index[key] = i
                return number, labels, index
        return None

    def read(self) -> None:
        rows = iter(self.sheet.rows())
        found = self._header(rows)
        where = f"{self.source.name}, sheet {self.sheet.name!r}"
        if found is None:
            if self.spec is None:
                self.snapshot.warnings.add(
                    "no-header", f"{where}: no 'Child Unique ID' column; sheet not read"
                )
                return
            raise StructuralError(
                f"{where}: no header row with a 'Child Unique ID' column in the first "
                f"{HEADER_SEARCH_ROWS} rows"
            )
        header_row, labels, header = found
        columns = self._columns(header, labels, where)
        self.events = SheetEvents.for_sheet(
            self.number, header, labels, self.snapshot, self.source.name, self.sheet.name,
            self.epoch,
        )  # fmt: skip
        count = 0
        for number, values in enumerate(rows, start=header_row + 1):
            if not any(v is not None and v != "" for v in values):
                continue
            count += 1
            if count > self.limits.max_rows:
                raise StructuralError(
                    f"{where}: more than {self.limits.max_rows:,} rows; split the file or ask "
                    "for the limit (IMPORT_MAX_ROWS) to be raised"
                )
            self._row(number, values, columns, labels)

    def _columns(self, header: dict[str, int], labels: list[str], where: str) -> dict:
        columns = {"child_id": _column(header, CHILD_ID)}
        for key, names in DETAILS.items():
            columns[key] = _column(header, names)
        known = set(CHILD_ID) | set(ALWAYS_KNOWN) | known_headers(self.number)
        for names in DETAILS.values():
            known |= set(names)
        if self.spec is not None:
            required = {"team": ALLOCATION["team"], "worker": ALLOCATION["worker"]}
            if self.spec.start:
                required["start"] = self.spec.start
                required["end"] = self.spec.end
            if self.spec.legal_status:
                required["legal_status"] = self.spec.legal_status
            for key, names in required.items():
                columns[key] = _column(header, names)
                known |= set(names)
                if columns[key] is None:
                    raise StructuralError(f"{where}: missing column {names_label(names)!r}")
            known |= set(self.spec.official)
        else:
            known |= set(ALLOCATION["team"]) | set(ALLOCATION["worker"])
        extra = [labels[i] for k, i in header.items() if k not in known]
        if extra and self.spec is not None:
            self.snapshot.warnings.add(
                "extra-columns", f"{where}: ignored column(s) {', '.join(extra)}"
            )
        return columns

    def _cell(self, values: tuple, index: int | None):
        if index is None or index >= len(values):
            return None
        return values[index]

    def _row(self, number: int, values: tuple, columns: dict, labels: list[str]) -> None:
        label = lambda key: labels[columns[key]]  # noqa: E731
        problems = RowProblems()
        raw_id = self._cell(values, columns["child_id"])
        child_id = problems.parse(label("child_id"), raw_id, parse_child_id)
        parsers = {
            "dob": lambda v: parse_date(v, epoch=self.epoch),
            "sex": parse_sex,
            "ethnicity": parse_ethnicity,
            "disability": parse_bool,
        }
        if self.spec is not None:
            parsers |= {
                "start": lambda v: parse_date(v, epoch=self.epoch),
                "end": lambda v: parse_date(v, epoch=self.epoch),
                "legal_status": parse_legal_status,
                "team": parse_allocation,
                "worker": parse_allocation,
            }
        parsed: dict[str, object] = {}
        # Left to right, as the problems are listed.
        for key in sorted(parsers, key=lambda k: columns.get(k) or 0):
            parser = parsers[key]
            if columns.get(key) is None:
                parsed[key] = None
                continue
            raw = self._cell(values, columns[key])
            # Each distinct cell is parsed once: codes, names and dates repeat all down a list.
            known = self.memo.get((key, raw))
            if known is None:
                try:
                    known = (True, parser(raw))
                except BadValue as exc:
                    known = (False, str(exc))
                if len(self.memo) < MEMO_LIMIT:
                    self.memo[(key, raw)] = known
            if known[0]:
                parsed[key] = known[1]
            else:
                problems.add(label(key), raw, known[1])
        for column, value, reason in problems:
            self.reject(number, column, value, reason, child_id)
        if self.events is not None:
            # Its event columns are checked too, so a rejected row lists every problem.
            keep = not problems and child_id is not None
            self.events.row(number, child_id, values, keep=keep, reported=problems.columns())
        if problems:
            return
        self.snapshot.child(
            ChildDetails(
                child_id,
                dob=parsed["dob"],
                sex=parsed["sex"],
                ethnicity=parsed["ethnicity"],
                has_disability=parsed["disability"],
            )
        )
        if self.spec is not None:
            self._case(number, child_id, parsed)

    def _case(self, number: int, child_id: str, parsed: dict) -> None:
        as_of = self.snapshot.as_of
        if not is_open(parsed.get("start"), parsed.get("end"), as_of):
            return
        cohort = self.spec.cohort
        if self.number == 8:
            status = parsed.get("legal_status")
            if is_short_break(status):
                cohort = "short_breaks"
            elif status is None:
                self.snapshot.warnings.add(
                    "no-legal-status",
                    f"{self.source.name}, sheet {self.sheet.name!r} row {number}: legal status "
                    "blank; counted as looked after (not a short break)",
                )
        worker = parsed.get("worker")
        swe = worker.upper() if worker and _SWE.match(worker) else None
        self.snapshot.offer(
            OpenCase(
                la_child_id=child_id,
                cohort=cohort,
                opened_on=parsed.get("start"),
                team=parsed.get("team"),
                worker=None if swe else worker,
                worker_swe=swe,
                source=f"{self.source.name}, sheet {self.sheet.name!r} row {number}",
            )
        )


def names_label(names: tuple[str, ...]) -> str:
    """The official spelling of a column, for messages."""
    for spelling in OFFICIAL_SPELLINGS:
        if header_key(spelling) == names[0]:
            return spelling
    return names[0]


OFFICIAL_SPELLINGS = (
    "Allocated Team",
    "Allocated Worker",
    "Continuous Assessment Start Date",
    "Continuous Assessment Date of Authorisation",
    "CIN Start Date",
    "CIN Closure Date",
    "Child Protection Plan Start Date",
    "Child Protection Plan End Date",
    "Date Started to be Looked After",
    "Date Ceased to be Looked After",
    "Child's Legal Status",
)


def read_annex_a(source: SourceFile, as_of: date, limits: Limits, progress=None) -> Snapshot:
    """Read one Annex A workbook into a snapshot at *as_of*; structural errors raise."""
    snapshot = Snapshot(format=FORMAT, as_of=as_of, covers=set(COVERS), files=[source.name])
    book = open_workbook(source, limits)
    lists = _find_lists(source, book)
    # Case lists first, so that a child's details come from their case row where both exist.
    order = [n for n in (8, 7, 6, 9, 4) if n in lists] + [n for n in DETAIL_LISTS if n in lists]
    for step, number in enumerate(order):
        if progress:
            progress(step / len(order), f"Reading {lists[number].name}")
        _ListReader(source, lists[number], number, snapshot, limits, book.epoch).read()
    ignored = sorted(set(lists) - set(order) - set(NOT_READ))
    for number in ignored:
        snapshot.warnings.add("ignored-sheet", f"{source.name}: List {number} is not read")
    snapshot.finish()
    return snapshot
