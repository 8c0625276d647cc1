"""Workbooks for the Annex A reader: one interface over openpyxl (.xlsx, read-only) and xlrd
(legacy .xls), with the limits applied before and while rows are read.

An .xlsx is read by python-calamine where it can be (``workbook_calamine``: about ten times less
CPU than openpyxl, which reads the rest and explains what is wrong with a damaged file). It is
first checked by ``zipguard.scan_workbook`` (ZIP bomb, forged sizes, text over the
cell cap, rows per sheet) so that openpyxl never opens one that would exhaust memory; every row
handed on has each cell held to the cap, and the message for a longer one names the file,
sheet, row and column.
"""

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile

from defusedxml import DefusedXmlException

from qa_app.importers.common import EXCEL_EPOCH
from qa_app.importers.snapshot import StructuralError
from qa_app.importers.sources import Limits, SourceFile
from qa_app.importers.workbook_calamine import open_xlsx
from qa_app.importers.zipguard import scan_workbook


@dataclass
class Sheet:
    name: str
    rows: Callable[[], Iterator[tuple]]  # values, dates as date/datetime where the file says so


@dataclass
class Workbook:
    sheets: list[Sheet]
    epoch: date


def _caused_by(exc: BaseException, kind: type) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _too_many_sheets(source: SourceFile, count: int, limits: Limits) -> StructuralError:
    return StructuralError(
        f"{source.name}: {count} sheets, over the limit of {limits.max_sheets} (IMPORT_MAX_SHEETS)"
    )


def _too_many_rows(source: SourceFile, sheet: str, limits: Limits) -> StructuralError:
    return StructuralError(
        f"{source.name}, sheet {sheet!r}: more than {limits.max_rows:,} rows; split the file or "
        "ask for the limit (IMPORT_MAX_ROWS) to be raised"
    )


def _checked(source: SourceFile, sheet: str, rows: Iterator[tuple], limits: Limits):
    """The sheet's rows, each cell held to the cap (a longer one refuses the file, naming it)."""
    cap = limits.max_cell_chars
    for number, values in enumerate(rows, start=1):
        if any(type(v) is str and len(v) > cap for v in values):
            from openpyxl.utils import get_column_letter  # noqa: PLC0415 - with openpyxl

            column = next(i for i, v in enumerate(values) if type(v) is str and len(v) > cap)
            raise StructuralError(
                f"{source.name}, sheet {sheet!r}, row {number}, column "
                f"{get_column_letter(column + 1)}: a cell of {len(values[column]):,} characters, "
                f"over the limit of {cap:,} (IMPORT_MAX_CELL_CHARS)"
            )
        yield values


def _open_xlsx(source: SourceFile, limits: Limits) -> Workbook:
    import openpyxl  # noqa: PLC0415 - heavy; only when a workbook is read

    # Before openpyxl reads a byte: refuses a ZIP bomb, a forged size, text over the cell cap
    # and a sheet over the row limit, from one streamed pass over the archive.
    scan = scan_workbook(source, limits)
    if len(scan.rows) > limits.max_sheets:
        raise _too_many_sheets(source, len(scan.rows), limits)
    for name, rows in scan.rows.items():
        if rows > limits.max_rows + 1:  # the header row is counted too
            raise _too_many_rows(source, name, limits)
    fast = open_xlsx(source, Sheet, Workbook)
    if fast is not None:
        if not scan.long_text:  # else no text in the workbook can be over the cap
            return fast
        return Workbook(
            [
                Sheet(s.name, lambda s=s: _checked(source, s.name, s.rows(), limits))
                for s in fast.sheets
            ],
            fast.epoch,
        )
    try:
        book = openpyxl.load_workbook(BytesIO(source.data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        if _caused_by(exc, DefusedXmlException):
            raise StructuralError(
                f"{source.name}: the workbook's XML declares entities or a DOCTYPE; it is "
                "refused for safety"
            ) from exc
        raise StructuralError(f"{source.name}: the workbook cannot be opened ({exc})") from exc

    def rows_of(worksheet):
        def rows():
            # Some writers record wrong dimensions; without them every cell present is read.
            worksheet.reset_dimensions()
            try:
                values = worksheet.iter_rows(values_only=True)
                if scan.long_text:  # else no text in the workbook can be over the cap
                    values = _checked(source, worksheet.title, values, limits)
                yield from values
            except (DefusedXmlException, ParseError) as exc:
                raise StructuralError(
                    f"{source.name}, sheet {worksheet.title!r}: the sheet's XML is refused for "
                    f"safety or damaged ({type(exc).__name__})"
                ) from exc
            except (BadZipFile, zlib.error, EOFError, ValueError, KeyError, TypeError) as exc:
                if isinstance(exc, StructuralError):
                    raise
                raise StructuralError(
                    f"{source.name}, sheet {worksheet.title!r}: the sheet cannot be read; the "
                    f"workbook is damaged ({type(exc).__name__})"
                ) from exc

        return rows

    sheets = [Sheet(ws.title, rows_of(ws)) for ws in book.worksheets]
    epoch = book.epoch.date() if isinstance(book.epoch, datetime) else EXCEL_EPOCH
    return Workbook(sheets, epoch)


def _open_xls(source: SourceFile, limits: Limits) -> Workbook:
    import xlrd  # noqa: PLC0415

    try:
        # ragged_rows: a row holds its own cells, not padding up to the widest row.
        book = xlrd.open_workbook(file_contents=source.data, on_demand=True, ragged_rows=True)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct errors...
        raise StructuralError(f"{source.name}: the workbook cannot be opened ({exc})") from exc

    def cell_value(cell):
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
            except (ValueError, OverflowError):
                return cell.value
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value, "#ERR")
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return None
        return cell.value

    def rows_of(index: int, name: str):
        def values():
            sheet = book.sheet_by_index(index)
            if sheet.nrows > limits.max_rows + 1:
                raise _too_many_rows(source, name, limits)
            for r in range(sheet.nrows):
                yield tuple(cell_value(c) for c in sheet.row(r))
            book.unload_sheet(index)  # one sheet in memory at a time

        return lambda: _checked(source, name, values(), limits)

    names = book.sheet_names()
    epoch = date(1904, 1, 1) if book.datemode == 1 else EXCEL_EPOCH
    return Workbook([Sheet(n, rows_of(i, n)) for i, n in enumerate(names)], epoch)


def open_workbook(source: SourceFile, limits: Limits) -> Workbook:
    legacy = source.data.startswith(b"\xd0\xcf\x11\xe0")
    book = _open_xls(source, limits) if legacy else _open_xlsx(source, limits)
    if len(book.sheets) > limits.max_sheets:
        raise _too_many_sheets(source, len(book.sheets), limits)
    return book
