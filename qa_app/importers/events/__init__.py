"""The events a file holds, read beside the snapshot of open cases (docs/indicators.md).

Each reader fills ``snapshot.events``, an ``EventBatch``: per kind (a table of
``qa_app.models.events``), the rows as plain tuples ``(la_child_id, source, team, worker,
*fields)`` in the order of ``KINDS[kind].fields``, and what the files say about the rows already
kept, which ``qa_app.services.imports.events`` turns into rows added and removed:

- ``windows``: a period the files hold in full for the kind (the 12 months up to the as-of date
  for dated lists, the as-of date itself for statuses at that date);
- ``scopes``: for List 7 and 8's "latest" dates, a child's own interval in which the file's date
  is the only one (a later visit held for that child up to the as-of date is contradicted).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

PERIOD, OBSERVED, AS_AT = "period", "observed", "as_at"


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # for summaries: "referrals", "CP plans"
    fields: tuple[str, ...]
    key: str  # the date a row is known by
    end: str | None = None  # rows with an end are replaced if open at any time in the period
    sub: str | None = None  # a column that splits the kind (visits by social worker or IRO)
    allocated: bool = False  # rows name a team and worker


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("referrals", "referrals",
             ("referral_date", "referral_source", "nfa", "referrals_last_12_months"),
             "referral_date", allocated=True),
        Kind("assessments", "assessments",
             ("start_date", "authorised_on", "child_seen", "requires_support", "factors"),
             "start_date", end="authorised_on", allocated=True),
        Kind("section47s", "section 47 enquiries",
             ("strategy_date", "icpc_not_required", "icpc_date", "icpc_target",
              "icpc_result_plan", "s47s_last_12_months", "icpcs_last_12_months"),
             "strategy_date", allocated=True),
        Kind("cin_episodes", "CIN episodes",
             ("start_date", "end_date", "primary_need", "last_seen", "closure_reason",
              "case_status"),
             "start_date", end="end_date", allocated=True),
        Kind("cin_plans", "CIN plans", ("start_date", "end_date"), "start_date", end="end_date"),
        Kind("cp_plans", "CP plans",
             ("start_date", "end_date", "initial_category", "latest_category", "previous_plans",
              "emergency_protection"),
             "start_date", end="end_date", allocated=True),
        Kind("cp_visits", "CP visits", ("visit_date", "seen_alone"), "visit_date"),
        Kind("cp_reviews", "CP reviews", ("review_date",), "review_date"),
        Kind("cla_periods", "periods of care",
             ("start_date", "end_date", "legal_status", "legal_status_start", "category_of_need",
              "uasc", "second_period", "permanence_plan", "reason_ceased"),
             "start_date", end="end_date", allocated=True),
        Kind("cla_episodes", "SSDA903 episodes",
             ("start_date", "end_date", "reason_new_episode", "legal_status", "category_of_need",
              "placement_type", "placement_provider", "reason_ended", "reason_place_change",
              "urn"),
             "start_date", end="end_date"),
        Kind("cla_placements", "placements",
             ("start_date", "placement_type", "provider", "urn", "location", "placement_la"),
             "start_date"),
        Kind("cla_statuses", "looked-after statuses",
             ("as_of", "placements_last_12_months", "missing_last_12_months",
              "absent_last_12_months", "return_interview_offered", "return_interview_accepted"),
             "as_of"),
        Kind("cla_reviews", "looked-after reviews", ("review_date", "review_code"),
             "review_date"),
        Kind("cla_visits", "looked-after visits", ("visit_date", "kind"), "visit_date",
             sub="kind"),
        Kind("cla_health_checks", "health and dental checks", ("check_date", "kind"),
             "check_date", sub="kind"),
        Kind("missing_episodes", "missing episodes", ("start_date", "end_date", "kind"),
             "start_date", end="end_date", sub="kind"),
        Kind("care_leavers", "care leavers",
             ("as_of", "eligibility", "in_touch", "latest_contact", "accommodation",
              "accommodation_suitable", "activity", "pathway_plan_review", "uasc"),
             "as_of", allocated=True),
    )
}  # fmt: skip


def covered_period(as_of: date) -> tuple[date, date]:
    """The 12 months up to and including *as_of*: from the day after the same date a year
    earlier (29 February's year-earlier date is 28 February)."""
    try:
        year_before = as_of.replace(year=as_of.year - 1)
    except ValueError:
        year_before = as_of.replace(year=as_of.year - 1, day=28)
    return year_before + timedelta(days=1), as_of


@dataclass
class EventBatch:
    rows: dict[str, list[tuple]] = field(default_factory=dict)
    windows: dict[str, list[tuple[date, date]]] = field(default_factory=dict)
    scopes: dict[str, list[tuple]] = field(default_factory=dict)  # (la_id, sub, lo, hi)

    def hold(self, kind: str, window: tuple[date, date] | None = None) -> None:
        """The files hold *kind* (its rows may be none); *window* is a period held in full."""
        self.rows.setdefault(kind, [])
        windows = self.windows.setdefault(kind, [])
        if window is not None and window not in windows:
            windows.append(window)

    def add(self, kind: str, row: tuple) -> None:
        self.rows.setdefault(kind, []).append(row)

    def scope(self, kind: str, la_id: str, sub, lo: date | None, hi: date) -> None:
        if lo is not None and lo <= hi:
            self.scopes.setdefault(kind, []).append((la_id, sub, lo, hi))

    def merge(self, other: "EventBatch") -> None:
        for kind, rows in other.rows.items():
            self.rows.setdefault(kind, []).extend(rows)
        for kind, windows in other.windows.items():
            for window in windows:
                self.hold(kind, window)
        for kind, scopes in other.scopes.items():
            self.scopes.setdefault(kind, []).extend(scopes)
