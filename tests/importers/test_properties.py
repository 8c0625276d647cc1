"""Property-based round trips: generated children and cases, written as messy real files are,
read back to exactly the open cases the rules of docs/formats.md give."""

import io
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import openpyxl
import xlwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_app.importers import read_files
from qa_app.importers.snapshot import RANK
from tests.support.importing import source

D = date(2024, 3, 31)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LISTS = {
    4: ("assessment", "Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"),
    6: ("cin", "CIN Start Date", "CIN Closure Date"),
    7: ("cp", "Child Protection Plan Start Date", "Child Protection Plan End Date"),
    8: ("cla", "Date Started to be Looked After", "Date Ceased to be Looked After"),
    9: ("care_leaver", None, None),
}  # fmt: skip
TEAMS = ["North Team", "South\u00a0Team", "Care  Leavers", "#N/A", "", "NULL"]
WORKERS = ["Ann Lee", "Bo\u00a0Chan", "Cy O\u2019Neil", "#N/A", None]

dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2025, 12, 31))


@dataclass
class Row:
    child: str
    number: int
    start: date | None
    end: date | None
    legal: str
    team: str
    worker: str | None
    sex: str


rows_strategy = st.lists(
    st.builds(
        Row,
        child=st.integers(1, 60).map(str),
        number=st.sampled_from(sorted(LISTS)),
        start=dates,
        end=st.none() | dates,
        legal=st.sampled_from(["C2", "E1: Placement order", "V3", "V4", "a) J1"]),
        team=st.sampled_from(TEAMS),
        worker=st.sampled_from(WORKERS),
        sex=st.sampled_from(["Female", "b) Female", "F", "a) Male", "M", "c) Not stated/recorded"]),
    ),
    max_size=25,
)


def expected_cases(rows: list[Row]) -> dict[str, tuple]:
    """The oracle: the rules of docs/formats.md written plainly."""
    best: dict[str, tuple] = {}
    for row in rows:
        cohort, _, _ = LISTS[row.number]
        if row.number != 9 and not (row.start <= D and (row.end is None or row.end > D)):
            continue
        if row.number == 8 and row.legal in ("V3", "V4"):
            cohort = "short_breaks"
        team = " ".join(row.team.replace("\u00a0", " ").split())
        team = None if team.upper() in ("#N/A", "", "NULL") else team
        worker = row.worker and " ".join(row.worker.replace("\u00a0", " ").split())
        worker = None if worker in (None, "#N/A") else worker.replace("\u2019", "'")
        value = (cohort, None if row.number == 9 else row.start, team, worker)
        known = best.get(row.child)
        if known is None or RANK[cohort] < RANK[known[0]]:
            best[row.child] = value
    return best


def date_cell(value: date | None, form: str):
    if value is None:
        return None
    if form == "real":
        return datetime(value.year, value.month, value.day)
    if form == "serial":
        return (value - date(1899, 12, 30)).days
    if form == "dmy":
        return f"{value:%d/%m/%Y}"
    return value.isoformat()


def id_cell(child: str, form: str):
    return {
        "int": int(child),
        "float": float(child),
        "text": f" {child}\u00a0",
        "floaty": f"{child}.0",
    }[form]


def annex_sheets(rows: list[Row], rnd: random.Random) -> dict[str, list[list]]:
    sheets = {}
    for number, (_cohort, start_name, end_name) in LISTS.items():
        header = ["Child Unique ID", "Gender", "Allocated Team"]
        header.append("Allocated Personal Advisor" if number == 9 else "Allocated Worker")
        if start_name:
            header += [start_name, end_name]
        if number == 8:
            header.append("Child's Legal Status")
        header += ["Some Local Column"] * rnd.randint(0, 1)
        order = list(range(len(header)))
        rnd.shuffle(order)
        spelled = [rnd.choice([h, h.upper(), f" {h.lower()}  "]) for h in header]
        table = [[spelled[i] for i in order]]
        for row in (r for r in rows if r.number == number):
            values = [id_cell(row.child, rnd.choice(["int", "float", "text", "floaty"])),
                      row.sex, row.team, row.worker]  # fmt: skip
            if start_name:
                values += [date_cell(row.start, rnd.choice(["real", "serial", "dmy", "iso"])),
                           date_cell(row.end, rnd.choice(["real", "serial", "dmy", "iso"]))]  # fmt: skip
            if number == 8:
                values.append(row.legal)
            values += ["extra"] * (len(header) - len(values))
            table.append([values[i] for i in order])
        lead = [[]] * rnd.randint(0, 3)
        if rnd.random() < 0.5:
            lead = [[f"List {number}: title"], [], *lead]
        name = rnd.choice([f"List {number}", f"List_{number}", f"list {number}", f"LIST_{number} "])
        sheets[name] = lead + table
    return sheets


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, table in sheets.items():
        sheet = book.create_sheet(name.strip())
        for r, values in enumerate(table, start=1):
            for c, value in enumerate(values, start=1):
                sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls(sheets: dict[str, list[list]]) -> bytes:
    book = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for name, table in sheets.items():
        sheet = book.add_sheet(name.strip())
        for r, values in enumerate(table):
            for c, value in enumerate(values):
                if isinstance(value, datetime):
                    sheet.write(r, c, value, date_style)
                elif value is not None:
                    sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@SETTINGS
@given(rows=rows_strategy, seed=st.integers(0, 10**6), legacy=st.booleans())
def test_annex_a_round_trip(rows, seed, legacy):
    sheets = annex_sheets(rows, random.Random(seed))
    data = xls(sheets) if legacy else xlsx(sheets)
    snapshot = read_files([source("annex.xls" if legacy else "annex.xlsx", data)], D)
    assert snapshot.rejected == []
    got = {k: (c.cohort, c.opened_on, c.team, c.worker) for k, c in snapshot.cases.items()}
    assert got == expected_cases(rows)
    assert set(snapshot.children) == {r.child for r in rows}
    assert snapshot.covers == {"assessment", "cin", "cp", "cla", "short_breaks", "care_leaver"}


@dataclass
class Episode:
    child: str
    start: date
    days: int | None
    legal: str


episodes_strategy = st.lists(
    st.builds(
        Episode,
        child=st.sampled_from(["001", "002", "0030", "A12", "77"]),
        start=dates,
        days=st.none() | st.integers(1, 900),
        legal=st.sampled_from(["C2", "V3", "V4", "J1", "E1"]),
    ),
    min_size=1,
    max_size=15,
)
EPISODE_COLUMNS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                   "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]  # fmt: skip


@SETTINGS
@given(
    episodes=episodes_strategy,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    seed=st.integers(0, 10**6),
)
def test_ssda903_csv_round_trip(episodes, encoding, newline, seed):
    rnd = random.Random(seed)
    columns = [*EPISODE_COLUMNS, "LOCAL_NOTE"]
    rnd.shuffle(columns)
    lines = [",".join(columns)]
    for e in episodes:
        end = None if e.days is None else e.start + timedelta(days=e.days)
        values = {"CHILD": e.child, "DECOM": f"{e.start:%d/%m/%Y}", "LS": e.legal,
                  "DEC": "" if end is None else f"{end:%d/%m/%Y}"}  # fmt: skip
        lines.append(",".join(values.get(c, "x") for c in columns))
    data = (newline.join(lines) + newline).encode(encoding)
    snapshot = read_files([source("episodes.csv", data)], D)
    expected = {}
    for child in {e.child for e in episodes}:
        open_now = [
            e for e in episodes
            if e.child == child and e.start <= D and (e.days is None or e.start + timedelta(days=e.days) > D)
        ]  # fmt: skip
        if open_now:
            short = all(e.legal in ("V3", "V4") for e in open_now)
            expected[child] = "short_breaks" if short else "cla"
    assert {k: c.cohort for k, c in snapshot.cases.items()} == expected
    assert snapshot.rejected == []
    assert any("LOCAL_NOTE" in w for w in snapshot.warnings.as_list())


@dataclass
class Referral:
    child: str
    referral: date
    closure: date | None
    plan: tuple[date, date | None] | None
    assessment: tuple[date, date | None] | None


def optional_interval():
    return st.none() | st.tuples(dates, st.none() | dates)


referrals_strategy = st.lists(
    st.builds(
        Referral,
        child=st.sampled_from(["C1", "C2", "C3", "C4"]),
        referral=dates,
        closure=st.none() | dates,
        plan=optional_interval(),
        assessment=optional_interval(),
    ),
    min_size=1,
    max_size=10,
)


def census_oracle(referrals: list[Referral]) -> dict[str, str]:
    def is_open(start, end):
        return start <= D and (end is None or end > D)

    best: dict[str, str] = {}
    for r in referrals:
        if not is_open(r.referral, r.closure):
            continue
        if r.plan and is_open(*r.plan):
            cohort = "cp"
        elif r.assessment and is_open(*r.assessment):
            cohort = "assessment"
        else:
            cohort = "cin"
        if r.child not in best or RANK[cohort] < RANK[best[r.child]]:
            best[r.child] = cohort
    return best


@SETTINGS
@given(referrals=referrals_strategy, sex_element=st.booleans(), seed=st.integers(0, 10**6))
def test_cin_census_round_trip(referrals, sex_element, seed):
    rnd = random.Random(seed)

    def element(name, value):
        return (
            f"<{name}>{'' if value is None else value}</{name}>"
            if rnd.random() < 0.8 or value
            else f"<{name} />"
        )

    parts = ["<Message>\n  <Header><CollectionDetails><ReferenceDate>2024-03-31</ReferenceDate>"
             "</CollectionDetails></Header>\n  <Children>"]  # fmt: skip
    for child in sorted({r.child for r in referrals}):
        gender = element("Sex", "F") if sex_element else element("GenderCurrent", "2")
        parts.append(f"<Child>\n stray text <ChildIdentifiers>{element('LAchildID', child)}{gender}"
                     "</ChildIdentifiers><ChildCharacteristics><Disabilities><Disability>NONE"
                     "</Disability></Disabilities></ChildCharacteristics>")  # fmt: skip
        for r in (r for r in referrals if r.child == child):
            parts.append("<CINdetails>" + element("CINreferralDate", r.referral.isoformat()))
            parts.append(element("CINclosureDate", r.closure and r.closure.isoformat()))
            parts.append(element("ReferralNFA", rnd.choice(["0", "false", "1", "true"])))
            if r.plan:
                parts.append("<ChildProtectionPlans>" + element("CPPstartDate", r.plan[0].isoformat())
                             + element("CPPendDate", r.plan[1] and r.plan[1].isoformat()) + "</ChildProtectionPlans>")  # fmt: skip
            if r.assessment:
                parts.append("<Assessments>" + element("AssessmentActualStartDate", r.assessment[0].isoformat())
                             + element("AssessmentAuthorisationDate", r.assessment[1] and r.assessment[1].isoformat())
                             + "</Assessments>")  # fmt: skip
            parts.append("</CINdetails>")
        parts.append("</Child>")
    parts.append("</Children></Message>")
    snapshot = read_files([source("census.xml", "\n".join(parts))], D)
    assert {k: c.cohort for k, c in snapshot.cases.items()} == census_oracle(referrals)
    assert all(c.sex == "F" and c.has_disability is False for c in snapshot.children.values())
    assert snapshot.rejected == []
