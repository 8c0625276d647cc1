"""The one CSV writer: formula-like text is quoted with a leading ', everything else round-trips."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_app.services.platform import csv_files


def written(rows, **options) -> str:
    out = io.StringIO()
    csv_files.writer(out, **options).writerows(rows)
    return out.getvalue()


@given(st.lists(st.lists(st.text(), min_size=1, max_size=5), min_size=1, max_size=5))
def test_text_reads_back_as_written_with_formulas_quoted(rows):
    text = written(rows, lineterminator="\n")
    back = list(csv.reader(io.StringIO(text, newline="")))
    expected = [["'" + c if c[:1] in tuple("=+-@\t\r") else c for c in row] for row in rows]
    # csv writes a row of one empty cell as an empty line, which reads back as no cells.
    assert [r or [""] for r in back] == expected


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("a-b", "a-b"),
        (-5, "-5"),
        (-2.5, "-2.5"),
        (Decimal("-1.50"), "-1.50"),
        (None, ""),
    ],
)
def test_cells(value, cell):
    assert next(csv.reader(io.StringIO(written([[value]]), newline=""))) == [cell]


def test_a_carriage_return_inside_a_cell_does_not_split_the_row():
    text = written([["a\rb", 1], ["c", 2]], lineterminator="\n")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["a\rb", "1"], ["c", "2"]]


def test_dict_writer_header_rows_and_extras():
    out = io.StringIO()
    writer = csv_files.DictWriter(out, fieldnames=["id", "team"], lineterminator="\n")
    writer.writeheader()
    writer.writerow({"id": 1, "team": "=evil"})
    writer.writerow({"id": -2})
    assert out.getvalue() == "id,team\n1,'=evil\n-2,\n"
    with pytest.raises(ValueError, match="not in fieldnames"):
        writer.writerow({"id": 3, "other": "x"})
    ignoring = csv_files.DictWriter(io.StringIO(), fieldnames=["id"], extrasaction="ignore")
    ignoring.writerow({"id": 3, "other": "x"})
