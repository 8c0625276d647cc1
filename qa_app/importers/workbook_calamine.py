""".xlsx workbooks read with python-calamine (Rust), about ten times faster than openpyxl.

An Annex A with every list is some 400,000 rows; openpyxl spends about a minute of CPU parsing
their XML alone, which leaves no room for the import within its 90 seconds (docs/indicators.md).
Calamine reads cached cell values (as openpyxl's ``data_only``), dates as ``date`` or
``datetime``, and never expands XML entities. A workbook calamine cannot open is handed back to
the openpyxl reader (``None``), whose messages name what is wrong with it; a sheet that fails
half way is a structural error.
"""

import zipfile
import zlib
from collections.abc import Callable, Iterator
from io import BytesIO

from qa_app.importers.common import EXCEL_EPOCH
from qa_app.importers.snapshot import StructuralError
from qa_app.importers.sources import SourceFile

CHUNK = 1 << 20
MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"\xff\xfe", b"\xfe\xff")


def _declares_entities(data: bytes) -> bool:
    """Whether any XML part declares a DOCTYPE or entities (or is UTF-16, where a byte search
    would miss them): such a workbook goes to the openpyxl reader, which refuses it by name."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            for info in archive.infolist():
                if not info.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                with archive.open(info) as part:
                    tail = b""
                    while chunk := part.read(CHUNK):
                        window = tail + chunk
                        if any(marker in window for marker in MARKERS):
                            return True
                        tail = window[-16:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        return True  # damaged: openpyxl says how
    return False


def open_xlsx(source: SourceFile, sheet_type: Callable, workbook_type: Callable):
    """A ``Workbook`` of ``Sheet``s (the reader's own types, passed in), or None."""
    try:
        import python_calamine  # noqa: PLC0415 - optional fast path
    except ImportError:
        return None
    if _declares_entities(source.data):
        return None
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(BytesIO(source.data))
        names = list(book.sheet_names)
    except Exception:
        return None

    def rows_of(name: str) -> Callable[[], Iterator[tuple]]:
        def rows() -> Iterator[tuple]:
            try:
                sheet = book.get_sheet_by_name(name)
                top, left = sheet.start or (0, 0)
                # Calamine starts at the first used cell: keep the file's row numbers and
                # column positions for messages.
                for _ in range(top):
                    yield ()
                pad = (None,) * left
                for row in sheet.iter_rows():
                    yield pad + tuple(None if value == "" else value for value in row)
            except python_calamine.CalamineError as exc:
                raise StructuralError(
                    f"{source.name}, sheet {name!r}: the sheet cannot be read; the workbook is "
                    f"damaged ({type(exc).__name__})"
                ) from exc

        return rows

    return workbook_type([sheet_type(name, rows_of(name)) for name in names], EXCEL_EPOCH)
