"""The events on Annex A Lists 3 to 9, read row by row beside the case lists.

Column names are the official template's (liia-tools' Annex A schema names the same); headers
match as everywhere (case, space and quote insensitive). A list without its key date column
(List 3's date of referral, List 5's strategy discussion date) holds no events, with a warning;
a bad date or count rejects the row's events (listed with file, sheet, row, column and value);
an unknown code is kept blank with a warning.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from qa_app.importers.common import BadValue, RowProblems, header_key, parse_allocation
from qa_app.importers.events import AS_AT, OBSERVED, PERIOD, EventBatch, covered_period
from qa_app.importers.events.values import PARSERS, Unrecognised, as_date

SOURCE = "annex-a"
MEMO_LIMIT = 200_000
TEAM = ("Allocated Team",)
WORKER = ("Allocated Worker", "Allocated Social Worker", "Allocated Personal Advisor")


@dataclass(frozen=True)
class ListSpec:
    columns: dict[str, tuple[tuple[str, ...], str]]  # field -> (header names, parser)
    key: str | None  # the column without which a row holds no event
    kinds: dict[str, str]  # kind -> PERIOD | OBSERVED | AS_AT
    build: Callable


def _l3(reader, la, v, team, worker):
    reader.add("referrals", la, team, worker, v["referral_date"], v["referral_source"], v["nfa"],
               v["referrals_last_12_months"])  # fmt: skip


def _l4(reader, la, v, team, worker):
    reader.add("assessments", la, team, worker, v["start_date"], v["authorised_on"],
               v["child_seen"], v["requires_support"], None)  # fmt: skip


def _l5(reader, la, v, team, worker):
    reader.add("section47s", la, team, worker, v["strategy_date"], v["icpc_not_required"],
               v["icpc_date"], None, v["icpc_result_plan"], v["s47s_last_12_months"],
               v["icpcs_last_12_months"])  # fmt: skip


def _l6(reader, la, v, team, worker):
    reader.add("cin_episodes", la, team, worker, v["start_date"], v["end_date"],
               v["primary_need"], v["last_seen"], v["closure_reason"], v["case_status"])  # fmt: skip


def _l7(reader, la, v, team, worker):
    start, end = v["start_date"], v["end_date"]
    reader.add("cp_plans", la, team, worker, start, end, v["initial_category"],
               v["latest_category"], v["previous_plans"], v["emergency_protection"])  # fmt: skip
    reader.latest("cp_visits", la, None, v["last_visit"], start, end, v["seen_alone"])
    reader.latest("cp_reviews", la, None, v["latest_review"], start, end)


def _l8(reader, la, v, team, worker):
    start, end = v["start_date"], v["end_date"]
    reader.add("cla_periods", la, team, worker, start, end, v["legal_status"],
               v["legal_status_start"], v["category_of_need"], v["uasc"], v["second_period"],
               v["permanence_plan"], v["reason_ceased"])  # fmt: skip
    reader.latest("cla_placements", la, None, v["placement_start"], start, end,
                  v["placement_type"], v["provider"], v["urn"], v["location"],
                  v["placement_la"])  # fmt: skip
    reader.latest("cla_reviews", la, None, v["latest_review"], start, end, None)
    reader.latest("cla_visits", la, "social_worker", v["last_visit"], start, end)
    reader.latest("cla_visits", la, "iro", v["last_iro_contact"], start, end)
    reader.latest("cla_health_checks", la, "health", v["last_health"], start, end)
    reader.latest("cla_health_checks", la, "dental", v["last_dental"], start, end)
    counts = ("placements", "missing", "absent", "return_offered", "return_accepted")
    if end is None or end > reader.as_of:
        reader.add("cla_statuses", la, None, None, reader.as_of, *(v[c] for c in counts))


def _l9(reader, la, v, team, worker):
    reader.add("care_leavers", la, team, worker, reader.as_of, v["eligibility"], v["in_touch"],
               v["latest_contact"], v["accommodation"], v["suitable"], v["activity"],
               v["pathway_plan_review"], v["uasc"])  # fmt: skip


UASC = "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))"
LISTS: dict[int, ListSpec] = {
    3: ListSpec(
        {
            "referral_date": (("Date of Referral",), "date"),
            "referral_source": (("Referral Source",), "text"),
            "nfa": (("Referral NFA?",), "bool"),
            "referrals_last_12_months": (("Number of Referrals in Last 12 Months",), "count"),
        },
        "referral_date", {"referrals": PERIOD}, _l3,
    ),
    4: ListSpec(
        {
            "start_date": (("Continuous Assessment Start Date",), "date"),
            "authorised_on": (("Continuous Assessment Date of Authorisation",), "date"),
            "child_seen": (("Child Seen During Continuous Assessment",), "bool"),
            "requires_support": (
                ("Was the child assessed as requiring LA children's social care support?",),
                "bool",
            ),
        },
        "start_date", {"assessments": PERIOD}, _l4,
    ),
    5: ListSpec(
        {
            "strategy_date": (
                ("Strategy discussion initiating Section 47 Enquiry Start Date",), "date"),
            "icpc_not_required": (
                ("Was an Initial Child Protection Conference deemed unnecessary?",), "bool"),
            "icpc_date": (("Date of Initial Child Protection Conference",), "date"),
            "icpc_result_plan": (
                ("Did the Initial Child Protection Conference Result in a Child Protection Plan",),
                "bool",
            ),
            "s47s_last_12_months": (
                ("Number of Section 47 Enquiries in the last 12 months",), "count"),
            "icpcs_last_12_months": (("Number of ICPCs in the last 12 months",), "count"),
        },
        "strategy_date", {"section47s": PERIOD}, _l5,
    ),
    6: ListSpec(
        {
            "start_date": (("CIN Start Date",), "date"),
            "end_date": (("CIN Closure Date",), "date"),
            "primary_need": (("Primary Need Code",), "text"),
            "last_seen": (("Date Child Was Last Seen",), "date"),
            "closure_reason": (("Reason for Closure",), "text"),
            "case_status": (("Case Status",), "text"),
        },
        "start_date", {"cin_episodes": PERIOD}, _l6,
    ),
    7: ListSpec(
        {
            "start_date": (("Child Protection Plan Start Date",), "date"),
            "end_date": (("Child Protection Plan End Date",), "date"),
            "initial_category": (("Initial Category of Abuse",), "text"),
            "latest_category": (("Latest Category of Abuse",), "text"),
            "last_visit": (("Date of the Last Statutory Visit",), "date"),
            "seen_alone": (("Was the Child Seen Alone?",), "bool"),
            "latest_review": (("Date of latest review conference",), "date"),
            "emergency_protection": (
                ("Subject to Emergency Protection Order or Protected Under Police Powers in "
                 "Last Six Months (Y/N)",), "bool"),
            "previous_plans": (("Number of Previous Child Protection Plans",), "count"),
        },
        "start_date",
        {"cp_plans": PERIOD, "cp_visits": OBSERVED, "cp_reviews": OBSERVED},
        _l7,
    ),
    8: ListSpec(
        {
            "start_date": (("Date Started to be Looked After",), "date"),
            "end_date": (("Date Ceased to be Looked After",), "date"),
            "uasc": ((UASC, UASC[:-1]), "bool"),
            "category_of_need": (("Child's Category of Need",), "text"),
            "second_period": (
                ("Is this a second or subsequent period of being a Looked After Child within "
                 "the last 12 months (Y/N)",), "bool"),
            "legal_status_start": (("Start date of current legal status",), "date"),
            "legal_status": (("Child's Legal Status", "Legal Status"), "legal"),
            "latest_review": (("Date of Latest Statutory Review",), "date"),
            "last_visit": (("Date of Last Social Work Visit",), "date"),
            "permanence_plan": (("What is the permanence plan for this child?",), "text"),
            "last_iro_contact": (("Date of Last IRO Visit / Contact to the Child",), "date"),
            "last_health": (("Date of Last Health Assessment",), "date"),
            "last_dental": (("Date of Last Dental Check",), "date"),
            "placements": (("Number of Placements in the Last 12 months",), "count"),
            "reason_ceased": (("Reason Ceased to be Looked After",), "text"),
            "placement_start": (("Start Date of Most Recent Placement",), "date"),
            "placement_type": (("Placement Type",), "text"),
            "provider": (("Placement Provider",), "text"),
            "urn": (("URN of Placement",), "text"),
            "location": (("Placement Location",), "location"),
            "placement_la": (("LA of Placement",), "text"),
            "missing": (
                ("Number of Episodes the Child has been 'Missing' from their Placement in the "
                 "last 12 months",), "count"),
            "absent": (
                ("Number of Episodes the Child has been 'Absent' from their Placement in the "
                 "last 12 months",), "count"),
            "return_offered": (
                ("Was the child offered a Return Interview after their last missing episode "
                 "(Y/N)?",), "bool"),
            "return_accepted": (
                ("Did the child accept a Return Interview after their last missing episode "
                 "(Y/N)?",), "bool"),
        },
        "start_date",
        {"cla_periods": PERIOD, "cla_placements": OBSERVED, "cla_statuses": AS_AT,
         "cla_reviews": OBSERVED, "cla_visits": OBSERVED, "cla_health_checks": OBSERVED},
        _l8,
    ),
    9: ListSpec(
        {
            "uasc": (("Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or "
                      "over (Y/N)",), "bool"),
            "eligibility": (("Eligibility Category",), "text"),
            "pathway_plan_review": (("Latest Pathway Plan Review Date",), "date"),
            "in_touch": (("LA in Touch",), "in_touch"),
            "latest_contact": (("Latest Date of Contact",), "date"),
            "accommodation": (("Type of Accommodation",), "accommodation"),
            "suitable": (("Suitability of Accommodation",), "suitable"),
            "activity": (("Activity Status",), "activity"),
        },
        None, {"care_leavers": AS_AT}, _l9,
    ),
}  # fmt: skip


def known_headers(number: int) -> set[str]:
    """Header keys of the columns read for events (not reported as ignored columns)."""
    spec = LISTS.get(number)
    if spec is None:
        return set()
    return {header_key(name) for names, _p in spec.columns.values() for name in names}


def _allocation_column(header, labels, names) -> tuple[int, str] | None:
    """The index and heading of the first of *names* in the header."""
    index = next((header[header_key(n)] for n in names if header_key(n) in header), None)
    return None if index is None else (index, labels[index])


class SheetEvents:
    """Reads one list sheet's events into ``snapshot.events``."""

    def __init__(self, number, header, labels, snapshot, file, sheet, epoch):
        self.spec = LISTS[number]
        self.snapshot, self.file, self.sheet, self.epoch = snapshot, file, sheet, epoch
        self.as_of: date = snapshot.as_of
        self.memo: dict[tuple, tuple[str, object]] = {}
        self.names: dict[object, str | None] = {}
        self.batch: EventBatch = snapshot.events
        self.columns = {}
        for name, (names, parser) in self.spec.columns.items():
            index = next((header[header_key(n)] for n in names if header_key(n) in header), None)
            if index is not None:
                self.columns[name] = (index, parser, labels[index])
        self.team = _allocation_column(header, labels, TEAM)
        self.worker = _allocation_column(header, labels, WORKER)
        self.active = self.spec.key is None or self.spec.key in self.columns
        if not self.active:
            names = self.spec.columns[self.spec.key][0]
            kinds = ", ".join(self.spec.kinds)
            snapshot.warnings.add(
                "events-no-key",
                f"{file}, sheet {sheet!r}: no {names[0]!r} column, so its {kinds} are not kept",
            )
            return
        period = covered_period(self.as_of)
        for kind, mode in self.spec.kinds.items():
            window = {PERIOD: period, AS_AT: (self.as_of, self.as_of)}.get(mode)
            self.batch.hold(kind, window)

    @classmethod
    def for_sheet(cls, number, header, labels, snapshot, file, sheet, epoch):
        if number not in LISTS:
            return None
        reader = cls(number, header, labels, snapshot, file, sheet, epoch)
        return reader if reader.active else None

    def _parse(self, parser: str, raw) -> tuple[str, object]:
        """("ok", value), ("bad", reason) or ("unknown", None), remembered per distinct cell:
        codes, names and dates repeat thousands of times in a list."""
        key = (parser, raw)
        known = self.memo.get(key)
        if known is not None:
            return known
        try:
            value = as_date(raw, self.epoch) if parser == "date" else PARSERS[parser](raw)
            known = ("ok", value)
        except BadValue as exc:
            known = ("bad", str(exc))
        except Unrecognised:
            known = ("unknown", None)
        if len(self.memo) < MEMO_LIMIT:
            self.memo[key] = known
        return known

    def row(self, line, child_id, values, *, keep=True, reported=frozenset()) -> None:
        """Read the row's events; every bad cell is listed (except the columns in *reported*,
        already listed by the case reader), and none of the row's events is kept if there is
        any, or if not *keep* (the case row itself was rejected)."""
        parsed = dict.fromkeys(self.spec.columns)
        problems = RowProblems()
        for name, (index, parser, label) in self.columns.items():
            raw = values[index] if index < len(values) else None
            if raw is None:
                continue
            outcome, value = self._parse(parser, raw)
            if outcome == "ok":
                parsed[name] = value
            elif outcome == "bad":
                problems.add(label, raw, value)
            else:
                self.snapshot.warnings.add(
                    f"events-code:{self.sheet}:{label}",
                    f"{self.file}, sheet {self.sheet!r} row {line}: {label} {str(raw)[:60]!r} "
                    "is not a code the service knows; kept blank",
                )
        if self.spec.key is not None and parsed[self.spec.key] is None:
            label = self.columns[self.spec.key][2]
            if label not in problems.columns():
                problems.add(label, None, "blank")
        team = self._allocation(values, self.team, problems)
        worker = self._allocation(values, self.worker, problems)
        for column, value, reason in problems:
            if column not in reported:
                self._reject(line, column, value, reason)
        if keep and not problems:
            self.spec.build(self, child_id, parsed, team, worker)

    def _allocation(self, values, column, problems: RowProblems):
        if column is None or column[0] >= len(values):
            return None
        raw = values[column[0]]
        if raw in self.names:
            return self.names[raw]
        before = len(problems.items)
        name = problems.parse(column[1], raw, parse_allocation)
        if len(problems.items) == before and len(self.names) < MEMO_LIMIT:
            self.names[raw] = name
        return name

    def _reject(self, line, column, value, reason) -> None:
        what = ", ".join(self.spec.kinds)
        self.snapshot.reject(
            self.file, self.sheet, line, column, value, f"{reason}; the row's {what} not kept"
        )

    def add(self, kind: str, la: str, team, worker, *fields) -> None:
        self.batch.add(kind, (la, SOURCE, team, worker, *fields))

    def latest(self, kind, la, sub, when, start, end, *fields) -> None:
        """A "latest" date: the row, and the child's interval in which it is the only one."""
        if when is None:
            return
        if sub is None:
            self.add(kind, la, None, None, when, *fields)
        else:
            self.add(kind, la, None, None, when, *fields, sub)
        high = self.as_of if end is None else min(end, self.as_of)
        self.batch.scope(kind, la, sub, max(when, start) if start else when, high)
