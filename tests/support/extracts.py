"""A seeded council of children with their records, written as Annex A workbooks at two as-of
dates, and the records the service should then hold, for checking the indicators against a
computation in plain Python (tests/services/performance).

Dates lean on the awkward ones: bank holidays, weekends, 29 February 2024, month ends, events on
the same day. A file at D shows what was known at D: later dates blank, every record that
touches the 12 months up to D, plus open ones.
"""

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from io import BytesIO

import xlsxwriter

from qa_app.importers.events import covered_period

TEAMS = ("Alpha Team", "Bravo Team", "Charlie Team")
WORKERS = ("Ann Able", "Ben Best", "Cat Cole", "Dan Dee")
SPECIAL = [date(2023, 12, 25), date(2023, 12, 26), date(2024, 1, 1), date(2024, 2, 29),
           date(2024, 3, 29), date(2024, 4, 1), date(2023, 5, 29), date(2023, 8, 28),
           date(2023, 2, 28), date(2024, 3, 31), date(2023, 4, 30), date(2024, 3, 28)]  # fmt: skip
FIRST, LAST = date(2022, 9, 1), date(2024, 4, 30)


@dataclass
class Rec:
    """One record of the world: ``kind`` as in KINDS, its dates and values, its child."""

    id: int
    kind: str
    child: str
    start: date
    end: date | None = None
    values: dict = field(default_factory=dict)
    team: str | None = None
    worker: str | None = None


class World:
    def __init__(self, seed: int, children: int = 70):
        self.rng = random.Random(seed)
        self.records: list[Rec] = []
        self.visits: dict[str, list[tuple[date, bool]]] = {}  # cp visits by child
        self.cp_reviews: dict[str, list[date]] = {}
        self.la_visits: dict[str, list[date]] = {}
        self.la_reviews: dict[str, list[date]] = {}
        self.health: dict[str, list[date]] = {}
        self.placements: dict[str, list[date]] = {}
        self.reported: dict[tuple[str, date], int] = {}  # (child, D) -> placements in 12 months
        self.leavers: dict[str, dict] = {}
        for n in range(children):
            self._child(f"C{n:04d}")

    def day(self, low: date = FIRST, high: date = LAST) -> date:
        choices = [d for d in SPECIAL if low <= d <= high]
        if choices and self.rng.random() < 0.3:
            return self.rng.choice(choices)
        return low + timedelta(days=self.rng.randint(0, max(0, (high - low).days)))

    def _add(self, kind, child, start, end=None, **values) -> Rec:
        rec = Rec(len(self.records), kind, child, start, end, values,
                  self.rng.choice(TEAMS), self.rng.choice(WORKERS))  # fmt: skip
        self.records.append(rec)
        return rec

    def _later(self, start: date, most: int, blank: float) -> date | None:
        if self.rng.random() < blank:
            return None
        end = start + timedelta(days=self.rng.choice([0, 0, 1, 3, *list(range(5, most))]))
        return end if end <= LAST else None

    def _child(self, child: str) -> None:
        rng = self.rng
        first = None
        for _ in range(rng.randint(0, 3)):
            when = first if first and rng.random() < 0.3 else self.day()
            first = first or when
            self._add("referrals", child, when, nfa=rng.random() < 0.2, count=rng.randint(0, 3))
        for _ in range(rng.randint(0, 2)):
            start = self.day()
            self._add("assessments", child, start, self._later(start, 90, 0.25))
        if rng.random() < 0.4:
            start = self.day()
            self._add("section47s", child, start, self._later(start, 30, 0.3))
        if rng.random() < 0.5:
            start = self.day(date(2021, 1, 1))
            self._add("cin_episodes", child, start, self._later(start, 400, 0.5))
        if rng.random() < 0.35:
            start = self.day(date(2021, 3, 1))
            end = self._later(start, 900, 0.5)
            self._add("cp_plans", child, start, end,
                      previous=rng.choice([None, 0, 0, 1, 2]))  # fmt: skip
            self._history(self.visits, child, start, end, 5, 25, alone=True)
            self._history(self.cp_reviews, child, start, end, 60, 200)
        if rng.random() < 0.3:
            self._looked_after(child)
        if rng.random() < 0.2:
            self.leavers[child] = {
                "in_touch": rng.choice(["a) Yes", "a) Yes", "b) No", "c) Died"]),
                "suitable": rng.choice(["a) Suitable", "b) Unsuitable", None]),
                "activity": rng.choice(["F1: Full time", "P3: Part time", "G5: NEET", None]),
            }

    def _history(self, store, child, start, end, low, high, alone=False) -> None:
        if self.rng.random() < 0.15:
            return  # no visit or review at all
        day = start + timedelta(days=self.rng.randint(0, high))
        while day <= min(end or LAST, LAST):
            store.setdefault(child, []).append((day, self.rng.random() < 0.7) if alone else day)
            day += timedelta(days=self.rng.randint(low, high))

    def _looked_after(self, child: str) -> None:
        rng = self.rng
        start = self.day(date(2020, 6, 1))
        end = self._later(start, 900, 0.6)
        status = rng.choice(["C2", "C2", "E1", "V3"])
        self._add("cla_periods", child, start, end, legal_status=status)
        self._history(self.la_visits, child, start, end, 10, 70)
        self._history(self.la_reviews, child, start, end, 20, 200)
        self._history(self.health, child, start - timedelta(days=200), end, 100, 400)
        self._history(self.placements, child, start, end, 40, 500)
        for as_of in (date(2024, 3, 28), date(2024, 4, 30)):
            self.reported[(child, as_of)] = rng.randint(0, 4)


def _known(rec: Rec, as_of: date) -> Rec | None:
    """The record as a file at *as_of* shows it, or None if the file does not list it."""
    low, _high = covered_period(as_of)
    if rec.start > as_of:
        return None
    end = rec.end if rec.end is not None and rec.end <= as_of else None
    point = rec.kind in ("referrals", "section47s")
    if point and rec.start < low:
        return None
    if not point and end is not None and end < low:
        return None
    return replace(rec, end=end)


def _latest(history: list, start: date, end: date | None, as_of: date):
    top = min(end, as_of) if end else as_of
    found = [h for h in history if (h[0] if isinstance(h, tuple) else h) <= top]
    return max(found, key=lambda h: h[0] if isinstance(h, tuple) else h) if found else None


def annex_a(world: World, as_of: date) -> bytes:
    """The Annex A workbook *world* gives at *as_of* (official headers, Lists 3-9)."""
    out = BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    sheets = {n: book.add_worksheet(f"List {n}") for n in (3, 4, 5, 6, 7, 8, 9)}
    rows = {n: [] for n in sheets}
    for rec in world.records:
        known = _known(rec, as_of)
        if known is not None:
            rows[LIST_OF[rec.kind]].append(LIST_ROWS[rec.kind](world, known, as_of))
    for child, status in world.leavers.items():
        rows[9].append({"Child Unique ID": child, "Allocated Team": TEAMS[0],
                        "Allocated Worker": WORKERS[0], "LA in Touch": status["in_touch"],
                        "Suitability of Accommodation": status["suitable"],
                        "Activity Status": status["activity"],
                        "Type of Accommodation": "U: Independent living"})  # fmt: skip
    for number, sheet in sheets.items():
        header = HEADERS[number]
        sheet.write_row(0, 0, header)
        for r, row in enumerate(rows[number], start=1):
            for c, name in enumerate(header):
                value = row.get(name)
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, fmt)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def _base(rec: Rec) -> dict:
    return {"Child Unique ID": rec.child, "Allocated Team": rec.team,
            "Allocated Worker": rec.worker}  # fmt: skip


def _l7(world: World, rec: Rec, as_of: date) -> dict:
    visit = _latest(world.visits.get(rec.child, []), rec.start, rec.end, as_of)
    review = _latest(world.cp_reviews.get(rec.child, []), rec.start, rec.end, as_of)
    return {**_base(rec), "Child Protection Plan Start Date": rec.start,
            "Child Protection Plan End Date": rec.end,
            "Date of the Last Statutory Visit": visit[0] if visit else None,
            "Was the Child Seen Alone?": ("a) Yes" if visit[1] else "b) No") if visit else None,
            "Date of latest review conference": review,
            "Number of Previous Child Protection Plans": rec.values["previous"]}  # fmt: skip


def _l8(world: World, rec: Rec, as_of: date) -> dict:
    def latest(store):
        return _latest(store.get(rec.child, []), rec.start, rec.end, as_of)

    return {**_base(rec), "Date Started to be Looked After": rec.start,
            "Date Ceased to be Looked After": rec.end,
            "Child's Legal Status": rec.values["legal_status"],
            "Date of Latest Statutory Review": latest(world.la_reviews),
            "Date of Last Social Work Visit": latest(world.la_visits),
            "Date of Last Health Assessment": latest(world.health),
            "Start Date of Most Recent Placement": latest(world.placements),
            "Number of Placements in the Last 12 months": world.reported.get((rec.child, as_of))}  # fmt: skip


LIST_OF = {"referrals": 3, "assessments": 4, "section47s": 5, "cin_episodes": 6, "cp_plans": 7,
           "cla_periods": 8}  # fmt: skip
LIST_ROWS = {
    "referrals": lambda w, r, d: {**_base(r), "Date of Referral": r.start,
                                  "Referral NFA?": "Yes" if r.values["nfa"] else "No",
                                  "Number of Referrals in Last 12 Months": r.values["count"]},
    "assessments": lambda w, r, d: {**_base(r), "Continuous Assessment Start Date": r.start,
                                    "Continuous Assessment Date of Authorisation": r.end},
    "section47s": lambda w, r, d: {
        **_base(r), "Strategy discussion initiating Section 47 Enquiry Start Date": r.start,
        "Date of Initial Child Protection Conference": r.end},
    "cin_episodes": lambda w, r, d: {**_base(r), "CIN Start Date": r.start,
                                     "CIN Closure Date": r.end},
    "cp_plans": _l7,
    "cla_periods": _l8,
}  # fmt: skip
_ALLOC = ["Allocated Team", "Allocated Worker"]
HEADERS = {
    3: ["Child Unique ID", "Date of Referral", "Referral NFA?",
        "Number of Referrals in Last 12 Months", *_ALLOC],
    4: ["Child Unique ID", "Continuous Assessment Start Date",
        "Continuous Assessment Date of Authorisation", *_ALLOC],
    5: ["Child Unique ID", "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Date of Initial Child Protection Conference", *_ALLOC],
    6: ["Child Unique ID", "CIN Start Date", "CIN Closure Date", *_ALLOC],
    7: ["Child Unique ID", "Child Protection Plan Start Date", "Child Protection Plan End Date",
        "Date of the Last Statutory Visit", "Was the Child Seen Alone?",
        "Date of latest review conference", "Number of Previous Child Protection Plans",
        *_ALLOC],
    8: ["Child Unique ID", "Date Started to be Looked After", "Date Ceased to be Looked After",
        "Child's Legal Status", "Date of Latest Statutory Review",
        "Date of Last Social Work Visit", "Date of Last Health Assessment",
        "Start Date of Most Recent Placement", "Number of Placements in the Last 12 months",
        *_ALLOC],
    9: ["Child Unique ID", "LA in Touch", "Type of Accommodation",
        "Suitability of Accommodation", "Activity Status", *_ALLOC],
}  # fmt: skip


def held(world: World, imports: list[date]) -> list[Rec]:
    """The records the service holds after importing the files at *imports* in order: the
    latest file that lists a record gives its version."""
    kept: dict[int, Rec] = {}
    for as_of in imports:
        for rec in world.records:
            known = _known(rec, as_of)
            if known is not None:
                kept[rec.id] = known
    return list(kept.values())


def observed(world: World, store_name: str, imports: list[date]) -> dict[str, set]:
    """The "latest" dates (visits, reviews...) the files at *imports* showed, by child."""
    store = getattr(world, store_name)
    seen: dict[str, set] = {}
    for as_of in imports:
        for rec in world.records:
            if rec.kind not in ("cp_plans", "cla_periods") or _known(rec, as_of) is None:
                continue
            if (store_name in ("visits", "cp_reviews")) != (rec.kind == "cp_plans"):
                continue
            known = _known(rec, as_of)
            latest = _latest(store.get(rec.child, []), known.start, known.end, as_of)
            if latest is not None:
                seen.setdefault(rec.child, set()).add(latest)
    return seen
