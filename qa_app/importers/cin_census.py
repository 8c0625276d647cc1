"""DfE children in need census (XML; every schema year, ``GenderCurrent`` or ``Sex``).

An episode (``CINdetails``) is open on D by its referral and closure dates alone; inside an open
episode an open child protection plan makes the case ``cp``, else an open assessment makes it
``assessment``, else it is ``cin``. The census names no team or worker.
"""

from datetime import date
from xml.etree.ElementTree import Element

from qa_app.importers.common import (
    BadValue,
    RowProblems,
    is_open,
    parse_bool,
    parse_child_id,
    parse_date,
    parse_ethnicity,
    parse_sex,
)
from qa_app.importers.events import cin_census as census_events
from qa_app.importers.snapshot import RANK, ChildDetails, OpenCase, Snapshot, StructuralError
from qa_app.importers.sources import Limits, SourceFile
from qa_app.importers.xmlsafe import iter_elements, local, text_of

FORMAT = "cin-census"
COVERS = frozenset({"assessment", "cin", "cp"})
SHEET = "Child"


def _children(element: Element, name: str) -> list[Element]:
    return [e for e in element if local(e.tag) == name]


def _first(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element:
        if local(child.tag) == name:
            return child
    return None


def _date(element: Element | None, name: str, path: str, problems: RowProblems) -> date | None:
    return problems.parse(f"{path}/{name}", text_of(_first(element, name)), parse_date)


def _details(child_id: str | None, child: Element, problems: RowProblems) -> ChildDetails:
    identifiers = _first(child, "ChildIdentifiers")
    characteristics = _first(child, "ChildCharacteristics")
    details = ChildDetails(child_id)
    details.dob = _date(identifiers, "PersonBirthDate", "ChildIdentifiers", problems)
    for name in ("Sex", "GenderCurrent"):
        raw = text_of(_first(identifiers, name))
        if raw:
            details.sex = problems.parse(f"ChildIdentifiers/{name}", raw, parse_sex)
            break
    raw = text_of(_first(characteristics, "Ethnicity"))
    details.ethnicity = problems.parse("ChildCharacteristics/Ethnicity", raw, parse_ethnicity)
    disabilities = _first(characteristics, "Disabilities")
    if disabilities is not None:
        codes = [text_of(d).upper() for d in _children(disabilities, "Disability")]
        real = [c for c in codes if c and c != "NONE"]  # NONE is not a disability
        details.has_disability = bool(real)
        details.disability_codes = ",".join(real)[:200] or None
    return details


def _episode_case(
    child_id: str | None, episode: Element, where: str, snapshot: Snapshot, problems: RowProblems
) -> OpenCase | None:
    """The case an episode makes on the as-of date; bad dates are noted in *problems*."""
    as_of = snapshot.as_of
    before = len(problems.items)
    referral = _date(episode, "CINreferralDate", "CINdetails", problems)
    closure = _date(episode, "CINclosureDate", "CINdetails", problems)
    if referral is None and len(problems.items) == before:
        problems.add("CINdetails/CINreferralDate", "", "the referral date is blank")
    if len(problems.items) > before or not is_open(referral, closure, as_of):
        # A closed episode's plans and assessments decide nothing: their bad dates reject
        # only those events (events.cin_census).
        return None
    plans = [
        (
            _date(plan, "CPPstartDate", "ChildProtectionPlans", problems),
            _date(plan, "CPPendDate", "ChildProtectionPlans", problems),
        )
        for plan in _children(episode, "ChildProtectionPlans")
    ]
    assessments = [
        (
            _date(assessment, "AssessmentActualStartDate", "Assessments", problems),
            _date(assessment, "AssessmentAuthorisationDate", "Assessments", problems),
        )
        for assessment in _children(episode, "Assessments")
    ]
    if len(problems.items) > before:
        return None
    if closure is None and parse_bool_lenient(text_of(_first(episode, "ReferralNFA"))):
        snapshot.warnings.add(
            "nfa-open",
            f"{where}: the referral is marked 'no further action' but the episode has no "
            "closure date; the case is kept open",
        )
    for start, end in plans:
        if start is not None and is_open(start, end, as_of):
            return _case(child_id, "cp", start, where)
    for start, done in assessments:
        if start is not None and is_open(start, done, as_of):
            return _case(child_id, "assessment", start, where)
    return _case(child_id, "cin", referral, where)


def _case(child_id: str, cohort: str, opened_on: date, where: str) -> OpenCase:
    return OpenCase(
        la_child_id=child_id,
        cohort=cohort,
        opened_on=opened_on,
        team_given=False,
        worker_given=False,
        source=where,
    )


def parse_bool_lenient(raw: str) -> bool:
    try:
        return bool(parse_bool(raw))
    except BadValue:
        return False


def read_cin_census(source: SourceFile, as_of: date, limits: Limits, progress=None) -> Snapshot:
    """Read one CIN census file into a snapshot at *as_of*; structural errors raise."""
    snapshot = Snapshot(format=FORMAT, as_of=as_of, covers=set(COVERS), files=[source.name])
    census_events.hold(snapshot.events, as_of)
    count = 0
    reference: str = ""
    for element in iter_elements(source, {"Child", "ReferenceDate"}):
        if local(element.tag) == "ReferenceDate":
            reference = text_of(element)
            continue
        count += 1
        if count > limits.max_rows:
            raise StructuralError(
                f"{source.name}: more than {limits.max_rows:,} children; ask for the limit "
                "(IMPORT_MAX_ROWS) to be raised"
            )
        if progress and count % 5000 == 0:
            progress(0.0, f"Read {count:,} children")
        _read_child(source, element, count, as_of, snapshot)
    if count == 0:
        raise StructuralError(f"{source.name}: the census contains no Child elements")
    try:
        reference_date = parse_date(reference) if reference else None
    except BadValue:
        reference_date = None
    if reference_date is not None and as_of > reference_date:
        snapshot.warnings.add(
            "reference-date",
            f"{source.name}: the census reference date is {reference_date:%d/%m/%Y}, before the "
            f"as-of date {as_of:%d/%m/%Y}; changes after the reference date are not in the file",
        )
    snapshot.finish()
    return snapshot


def _read_child(source, element, ordinal, as_of, snapshot) -> None:
    problems = RowProblems()
    identifiers = _first(element, "ChildIdentifiers")
    raw_id = text_of(_first(identifiers, "LAchildID"))
    child_id = problems.parse("ChildIdentifiers/LAchildID", raw_id, parse_child_id)
    where = f"{source.name}, child {ordinal}"
    details = _details(child_id, element, problems)
    best: OpenCase | None = None
    for episode in _children(element, "CINdetails"):
        case = _episode_case(child_id, episode, where, snapshot, problems)
        if case is not None and (best is None or RANK[case.cohort] < RANK[best.cohort]):
            best = case
    for column, value, reason in problems:
        snapshot.reject(source.name, SHEET, ordinal, column, value, reason)
    # The event-only elements are checked too, so a rejected child lists every problem.
    reader = census_events.ChildEvents(snapshot, source.name, ordinal, child_id)
    reader.read(element, keep=not problems, reported={(c, v) for c, v, _r in problems})
    if problems:
        if child_id is not None:
            snapshot.unreadable.add(child_id)
        return
    snapshot.child(details)
    if best is not None:
        snapshot.offer(best)
