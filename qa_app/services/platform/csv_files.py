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

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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
    """``csv.writer`` whose every cell goes through ``neutralise``."""

    def __init__(self, handle, **options):
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter:
    """``csv.DictWriter`` whose every cell goes through ``neutralise`` (the header too)."""

    def __init__(self, handle, fieldnames, **options):
        self._writer = csv.DictWriter(handle, fieldnames=fieldnames, **options)
        self.fieldnames = self._writer.fieldnames

    def writeheader(self):
        return self._writer.writerow({name: neutralise(name) for name in self.fieldnames})

    def writerow(self, row: Mapping[str, Any]):
        return self._writer.writerow({k: neutralise(v) for k, v in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)
