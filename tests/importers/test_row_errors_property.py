"""Property: a generated row with k independent faults injected is reported with exactly k
problems, each naming the faulty column, and is rejected exactly when k > 0."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_app.importers import read_files
from tests.importers.test_hostile import minimal_lists, workbook
from tests.support.importing import source

D = date(2024, 3, 31)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOO_LONG = "x" * 501

# column -> (good values, a bad value); every bad value is wrong on its own, whatever the rest.
CSV_COLUMNS = {
    "child_id": (["1001", "00420", " 77 "], "=HYPERLINK(1)"),
    "cohort": (["cin", "Child protection", "cla"], "kittens"),
    "opened_on": (["01/02/2020", "2023-12-31", ""], "31/02/2020"),
    "team": (["North", "#N/A", ""], TOO_LONG),
    "worker": (["Ann Lee", "SW1234", ""], TOO_LONG),
    "dob": (["01/01/2010", "", "2015-06-30"], "soon"),
    "sex": (["F", "b) Female", "", "1"], "X"),
    "ethnicity": (["WBRI", "a) MWBA", ""], "ZZZZ"),
    "disability": (["yes", "no", "HAND;HEAR", ""], "maybe!"),
    "worker_email": (["ann@council.test", ""], "not-an-email"),
}
LIST6 = {
    "Child Unique ID": (["1001", 2002, "00420"], "=1+1"),
    "Date of Birth": (["01/01/2010", date(2012, 5, 1), None], "31/02/2010"),
    "Gender": (["F", "b) Female", None], "X"),
    "Ethnicity": (["WBRI", None], "ZZZZ"),
    "Does the Child have a Disability": (["Yes", "b) No", None], "perhaps"),
    "CIN Start Date": (["01/01/2020", date(2021, 7, 1)], "someday"),
    "CIN Closure Date": ([None, "01/01/2025", date(2022, 1, 1)], "32/01/2021"),
    "Date Child Was Last Seen": ([None, "01/03/2024"], "last week"),
    "Allocated Team": (["North", "#N/A"], TOO_LONG),
    "Allocated Worker": (["Ann Lee", None], TOO_LONG),
}


def rows_with_faults(columns: dict) -> st.SearchStrategy:
    """Rows as (values by column, the set of faulty columns)."""

    @st.composite
    def build(draw):
        faults = draw(st.sets(st.sampled_from(sorted(columns))))
        values = {
            column: bad if column in faults else draw(st.sampled_from(good))
            for column, (good, bad) in columns.items()
        }
        return values, faults

    return st.lists(build(), min_size=1, max_size=4)


def assert_reported(snapshot, rows, first_line: int, id_column: str) -> None:
    for line, (_values, faults) in enumerate(rows, start=first_line):
        reported = [r for r in snapshot.rejected if r.row == line]
        assert len(reported) == len(faults)
        assert {r.column for r in reported} == faults
        assert all(r.reason for r in reported)
    # Rejected exactly when faulty: every fault-free row's child has a case or a closed one.
    for values, faults in rows:
        if not faults:
            child = str(values[id_column]).strip()
            assert child in snapshot.children


@SETTINGS
@given(rows=rows_with_faults(CSV_COLUMNS))
def test_own_csv_reports_exactly_the_injected_faults(rows):
    names = list(CSV_COLUMNS)
    lines = [",".join(names)]
    lines += [",".join(values[n] for n in names) for values, _faults in rows]
    snapshot = read_files([source("cases.csv", "\n".join(lines) + "\n")], D, fmt="csv")
    assert_reported(snapshot, rows, 2, "child_id")
    assert snapshot.rejected_rows() == sum(1 for _v, faults in rows if faults)


@SETTINGS
@given(rows=rows_with_faults(LIST6))
def test_annex_a_reports_exactly_the_injected_faults(rows):
    names = list(LIST6)
    sheet = [names] + [[values[n] for n in names] for values, _faults in rows]
    data = workbook(minimal_lists(**{"List 6": sheet}))
    snapshot = read_files([source("annex.xlsx", data)], D)
    mine = [r for r in snapshot.rejected if r.sheet == "List 6"]
    assert len(mine) == len(snapshot.rejected)
    assert_reported(snapshot, rows, 2, "Child Unique ID")


EPISODES = {
    "CHILD": (["701", "0702", " 703 "], "@SUM(1)"),
    "DECOM": (["01/01/2020", "2021-06-30"], "31/02/2020"),
    "DEC": (["", "01/01/2025"], "soon"),
    "LS": (["C2", "E1: Placement order", "V3", ""], "??"),
}
EPISODE_OTHERS = "RNE,CIN,PLACE,PLACE_PROVIDER,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"


@SETTINGS
@given(rows=rows_with_faults(EPISODES))
def test_ssda903_episodes_report_exactly_the_injected_faults(rows):
    names = list(EPISODES)
    lines = [",".join(names) + "," + EPISODE_OTHERS]
    lines += [",".join(values[n] for n in names) + ",S,N1,U1,PR1,,,,," for values, _faults in rows]
    episodes = source("episodes.csv", "\n".join(lines) + "\n")
    snapshot = read_files([episodes], D, fmt="ssda903")
    assert_reported(snapshot, rows, 2, "CHILD")
