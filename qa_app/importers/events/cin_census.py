"""The events in a CIN census child: each ``CINdetails`` episode is a referral and a CIN
episode, with its assessments, CIN plans, section 47 enquiries, child protection plans and
their reviews.

A bad date rejects only the event it belongs to (listed with the child's position in the file
and the element path); the census holds whole histories, so every kind is held for the 12
months up to the as-of date.
"""

from datetime import date
from xml.etree.ElementTree import Element

from qa_app.importers.common import BadValue, RowProblems, parse_date
from qa_app.importers.events import EventBatch, covered_period
from qa_app.importers.events.values import Unrecognised, as_bool, as_count, as_text
from qa_app.importers.xmlsafe import local, text_of

SOURCE = "cin-census"
SHEET = "Child"
KINDS = ("referrals", "cin_episodes", "assessments", "cin_plans", "section47s", "cp_plans",
         "cp_reviews")  # fmt: skip


def hold(batch: EventBatch, as_of: date) -> None:
    period = covered_period(as_of)
    for kind in KINDS:
        batch.hold(kind, period)


def _all(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [e for e in element if local(e.tag) == name]


def _one(element: Element | None, name: str) -> Element | None:
    found = _all(element, name)
    return found[0] if found else None


def _text(element, name) -> str:
    return text_of(_one(element, name))


def _date(element, name, path, problems: RowProblems) -> date | None:
    return problems.parse(f"{path}/{name}", _text(element, name), parse_date)


def _lenient(parser, raw):
    try:
        return parser(raw) if raw else None
    except (Unrecognised, BadValue):
        return None


class ChildEvents:
    """Reads one ``Child`` element's events into the batch."""

    def __init__(self, snapshot, file: str, ordinal: int, child_id: str | None):
        self.snapshot, self.file, self.ordinal, self.child_id = snapshot, file, ordinal, child_id
        self.batch: EventBatch = snapshot.events
        self.reported: set[tuple[str, str]] = set()

    def _add(self, kind: str, *fields) -> None:
        self.batch.add(kind, (self.child_id, SOURCE, None, None, *fields))

    def _each(self, build, element, keep: bool) -> None:
        """Run *build*; every bad date of an event is listed and rejects that event (and the
        events inside it) only."""
        problems = RowProblems()
        build(element, problems, keep)
        for column, value, reason in problems:
            if (column, value) not in self.reported:
                self.snapshot.reject(
                    self.file, SHEET, self.ordinal, column, value,
                    f"{reason}; this event is not kept",
                )  # fmt: skip

    def read(self, child: Element, *, keep: bool = True, reported=frozenset()) -> None:
        """Read the events; none is kept unless *keep* (the child's case row was rejected),
        and the (column, value) problems in *reported* are not listed twice."""
        self.reported = set(reported)
        for episode in _all(child, "CINdetails"):
            self._each(self._episode, episode, keep)

    def _episode(self, episode: Element, problems: RowProblems, keep: bool) -> None:
        referral = _date(episode, "CINreferralDate", "CINdetails", problems)
        closure = _date(episode, "CINclosureDate", "CINdetails", problems)
        if referral is None and not problems:
            problems.add("CINdetails/CINreferralDate", "", "blank")
        keep = keep and not problems
        if keep:
            self._add("referrals", referral, _lenient(as_text, _text(episode, "ReferralSource")),
                      _lenient(as_bool, _text(episode, "ReferralNFA")), None)  # fmt: skip
            self._add("cin_episodes", referral, closure,
                      _lenient(as_text, _text(episode, "PrimaryNeedCode")), None,
                      _lenient(as_text, _text(episode, "ReasonForClosure")), None)  # fmt: skip
        for assessment in _all(episode, "Assessments"):
            self._each(self._assessment, assessment, keep)
        for plan in _all(episode, "CINPlanDates"):
            self._each(self._cin_plan, plan, keep)
        for enquiry in _all(episode, "Section47"):
            self._each(self._section47, enquiry, keep)
        for plan in _all(episode, "ChildProtectionPlans"):
            self._each(self._cp_plan, plan, keep)

    def _assessment(self, element: Element, problems: RowProblems, keep: bool) -> None:
        start = _date(element, "AssessmentActualStartDate", "Assessments", problems)
        done = _date(element, "AssessmentAuthorisationDate", "Assessments", problems)
        if start is None or problems or not keep:
            return
        factors = [text_of(f) for f in _all(_one(element, "FactorsIdentifiedAtAssessment"),
                                            "AssessmentFactors")]  # fmt: skip
        self._add("assessments", start, done, None, None, ",".join(f for f in factors if f)[:200]
                  or None)  # fmt: skip

    def _cin_plan(self, element: Element, problems: RowProblems, keep: bool) -> None:
        start = _date(element, "CINPlanStartDate", "CINPlanDates", problems)
        end = _date(element, "CINPlanEndDate", "CINPlanDates", problems)
        if start is not None and keep and not problems:
            self._add("cin_plans", start, end)

    def _section47(self, element: Element, problems: RowProblems, keep: bool) -> None:
        start = _date(element, "S47ActualStartDate", "Section47", problems)
        target = _date(element, "InitialCPCtarget", "Section47", problems)
        icpc = _date(element, "DateOfInitialCPC", "Section47", problems)
        if start is None or problems or not keep:
            return
        not_required = _lenient(as_bool, _text(element, "ICPCnotRequired"))
        self._add("section47s", start, not_required, icpc, target, None, None, None)

    def _cp_plan(self, element: Element, problems: RowProblems, keep: bool) -> None:
        start = _date(element, "CPPstartDate", "ChildProtectionPlans", problems)
        end = _date(element, "CPPendDate", "ChildProtectionPlans", problems)
        previous = problems.parse("ChildProtectionPlans/NumberOfPreviousCPP",
                                  _text(element, "NumberOfPreviousCPP") or None, as_count)  # fmt: skip
        reviews = [
            problems.parse(
                "ChildProtectionPlans/Reviews/CPPreviewDate", text_of(review), parse_date
            )
            for group in _all(element, "Reviews")
            for review in _all(group, "CPPreviewDate")
        ]
        if start is None or problems or not keep:
            return
        self._add("cp_plans", start, end,
                  _lenient(as_text, _text(element, "InitialCategoryOfAbuse")),
                  _lenient(as_text, _text(element, "LatestCategoryOfAbuse")), previous, None)  # fmt: skip
        for review in reviews:
            if review is not None:
                self._add("cp_reviews", review)
