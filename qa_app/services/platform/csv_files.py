"""The one way this service writes CSV: cells a spreadsheet would run as a formula are neutralised.

Child ids, team and staff names and free text come from imports and forms, so any of them may
begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, which Excel, LibreOffice and
Google Sheets read as the start of a formula (``=HYPERLINK(...)`` can send the sheet's data
anywhere). The OWASP rule: such a cell is written with a single quote in front, which the
spreadsheet shows but does not evaluate. Real numbers (int, float, Decimal) are written as they
are: a negative number is a number, not a formula.

Use ``writer``/``DictWriter`` exactly like the ``csv`` module's; nothing else in ``qa_app``
should create a ``csv.writer`` for output. XLSX files are opened with ``XLSX_TEXT_CELLS``.
"""

import csv
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from qa_app.textnorm import FORMULA_STARTS

# xlsxwriter Workbook options: a string is always a text cell, never turned into a formula, a
# link or a number (``write()`` would make a formula of ``=...``). An XLSX text cell is inert,
# so it needs no quote in front.
XLSX_TEXT_CELLS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def starts_like_formula(text: str) -> bool:
    """True when a spreadsheet would read *text* as the start of a formula."""
    return text[:1] in FORMULA_STARTS


def neutralise(value: Any) -> Any:
    """*value* safe to put in a spreadsheet cell: None becomes empty, numbers stay numbers,
    anything else becomes text with a leading ``'`` if it starts like a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):  # bool is an int: written as True/False
        return value
    text = str(value)
    return "'" + text if starts_like_formula(text) else text


class writer:  # noqa: N801 - named after csv.writer, which it replaces
    """``csv.writer`` whose every cell goes through ``neutralise``.

    A row with a line break inside a cell is written with every cell quoted: ``csv`` quotes only
    the characters of the chosen line terminator, so with ``"\n"`` a bare ``"\r"`` would split
    the row in a spreadsheet."""

    def __init__(self, handle, **options):
        self._writer = csv.writer(handle, **options)
        self._quoted = csv.writer(handle, **{**options, "quoting": csv.QUOTE_ALL})

    def writerow(self, row: Iterable[Any]):
        cells = [neutralise(v) for v in row]
        breaks = any(isinstance(c, str) and ("\r" in c or "\n" in c) for c in cells)
        return (self._quoted if breaks else self._writer).writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter:
    """``csv.DictWriter`` (``restval``, ``extrasaction``) on top of ``writer``: every cell,
    the header's too, goes through ``neutralise``."""

    def __init__(self, handle, fieldnames, *, restval="", extrasaction="raise", **options):
        if extrasaction not in ("raise", "ignore"):
            raise ValueError(f"extrasaction must be 'raise' or 'ignore', not {extrasaction!r}")
        self.fieldnames = list(fieldnames)
        self.restval = restval
        self.extrasaction = extrasaction
        self._writer = writer(handle, **options)

    def writeheader(self):
        return self._writer.writerow(self.fieldnames)

    def writerow(self, row: Mapping[str, Any]):
        if self.extrasaction == "raise":
            extra = [k for k in row if k not in self.fieldnames]
            if extra:
                raise ValueError(f"dict contains fields not in fieldnames: {extra!r}")
        return self._writer.writerow([row.get(k, self.restval) for k in self.fieldnames])

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)
