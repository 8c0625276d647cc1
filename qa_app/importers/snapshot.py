"""What every reader produces: a normalised snapshot of children and open cases at date D."""

from dataclasses import dataclass, field
from datetime import date

from qa_app.importers.events import EventBatch
from qa_app.models.vocab import COHORT_PRECEDENCE, COHORTS

RANK = {cohort: rank for rank, cohort in enumerate(COHORT_PRECEDENCE)}
WARNING_EXAMPLES = 5


class StructuralError(ValueError):
    """The file or files cannot be imported at all (wrong kind, missing sheet or column, over a
    limit); nothing is changed. The message names the file and what is wrong."""


@dataclass(slots=True)
class ChildDetails:
    la_child_id: str
    dob: date | None = None
    sex: str | None = None
    ethnicity: str | None = None
    has_disability: bool | None = None
    disability_codes: str | None = None

    def fill_from(self, other: "ChildDetails") -> None:
        """Take the other record's values where this one has none (first file/list wins)."""
        for name in ("dob", "sex", "ethnicity", "has_disability", "disability_codes"):
            if getattr(self, name) is None:
                setattr(self, name, getattr(other, name))


@dataclass(slots=True)
class OpenCase:
    """An open case at D for one child, from the row that decided its cohort."""

    la_child_id: str
    cohort: str
    opened_on: date | None
    # Whether the source names the team / the worker at all. The CIN census names neither and
    # SSDA903 no team: an existing case then keeps what an earlier import gave it.
    team_given: bool = True
    worker_given: bool = True
    team: str | None = None
    worker: str | None = None
    worker_swe: str | None = None
    worker_email: str | None = None
    iro: str | None = None
    iro_given: bool = False
    source: str = ""  # "file, sheet row N" for warnings

    @property
    def rank(self) -> int:
        return RANK[self.cohort]


@dataclass
class Rejected:
    file: str
    sheet: str
    row: int | None
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
        }


class Warnings:
    """Warnings grouped by kind, so 40,000 rows with the same problem make one line."""

    def __init__(self) -> None:
        self._kinds: dict[str, list[str]] = {}
        self._counts: dict[str, int] = {}

    def add(self, kind: str, message: str) -> None:
        self._counts[kind] = self._counts.get(kind, 0) + 1
        examples = self._kinds.setdefault(kind, [])
        if len(examples) < WARNING_EXAMPLES:
            examples.append(message)

    def extend(self, other: "Warnings") -> None:
        for kind, examples in other._kinds.items():
            for message in examples:
                self.add(kind, message)
            self._counts[kind] += other._counts[kind] - len(examples)

    def as_list(self) -> list[str]:
        lines = []
        for kind, examples in self._kinds.items():
            lines.extend(examples)
            more = self._counts[kind] - len(examples)
            if more:
                lines.append(f"... and {more:,} more like the above")
        return lines


@dataclass
class Snapshot:
    """Children and their open cases at *as_of*, plus what could not be read."""

    format: str
    as_of: date
    covers: set[str] = field(default_factory=set)
    children: dict[str, ChildDetails] = field(default_factory=dict)
    cases: dict[str, OpenCase] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    # Children with a rejected row and no accepted open case: their existing case is left as it
    # was rather than closed, since the file says nothing reliable about them.
    unreadable: set[str] = field(default_factory=set)
    warnings: Warnings = field(default_factory=Warnings)
    files: list[str] = field(default_factory=list)
    # The dated records the files hold (referrals, assessments, plans...), kept beside the cases.
    events: EventBatch = field(default_factory=EventBatch)

    def child(self, details: ChildDetails) -> ChildDetails:
        known = self.children.get(details.la_child_id)
        if known is None:
            self.children[details.la_child_id] = details
            return details
        known.fill_from(details)
        return known

    def offer(self, case: OpenCase) -> None:
        """Keep *case* if it beats the child's case so far (cohort precedence, first wins)."""
        known = self.cases.get(case.la_child_id)
        if known is None or case.rank < known.rank:
            self.cases[case.la_child_id] = case
        elif case.rank == known.rank and case.source != known.source:
            self.warnings.add(
                "duplicate",
                f"{case.source}: child {case.la_child_id} has a second open {case.cohort} "
                f"row; the first ({known.source}) is used",
            )

    def reject(self, file: str, sheet: str, row: int | None, column: str, value, reason: str):
        shown = "" if value is None else str(value)
        self.rejected.append(Rejected(file, sheet, row, column, shown[:200], reason))

    def rejected_rows(self) -> int:
        """How many rows were rejected: ``rejected`` has one entry per problem, and a row with
        several problems has several (docs/formats.md#rejected-rows)."""
        return len({(r.file, r.sheet, r.row) for r in self.rejected})

    def merge(self, other: "Snapshot") -> None:
        """Combine another file's snapshot into this one (several files in one import)."""
        formats = [f for f in self.format.split("+") if f]
        if other.format not in formats:
            formats.append(other.format)
        self.format = "+".join(formats)
        self.covers |= other.covers
        for details in other.children.values():
            self.child(details)
        for case in other.cases.values():
            self.offer(case)
        self.rejected.extend(other.rejected)
        self.unreadable |= other.unreadable
        self.warnings.extend(other.warnings)
        self.files.extend(other.files)
        self.events.merge(other.events)

    def finish(self) -> None:
        """After reading: children with an accepted case are not 'unreadable'."""
        self.unreadable -= self.cases.keys()

    def by_cohort(self) -> dict[str, int]:
        counts = dict.fromkeys(COHORTS, 0)
        for case in self.cases.values():
            counts[case.cohort] += 1
        return counts
