"""Files handed to the readers, the limits they must respect, and text and CSV decoding.

Text is decoded as it is read, never as one string of the whole file: a CSV's rows are counted
(and every cell's length checked) in a first pass that keeps nothing, so a file over the row
limit is refused before a single row reaches a reader.
"""

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass

from qa_app.importers.snapshot import StructuralError

MB = 1024 * 1024
# Text is checked and decoded this many bytes at a time.
CHUNK = MB


@dataclass(frozen=True)
class Limits:
    """Refuse what would exhaust the machine, with a message saying which limit was hit."""

    max_bytes: int = 200 * MB
    max_rows: int = 500_000  # data rows per sheet, table or XML file
    max_sheets: int = 60
    # A workbook is a ZIP: refuse one whose parts would inflate to more than this in all (a
    # "ZIP bomb"), judged first by the sizes its directory declares, then by what really
    # inflates.
    max_inflated_bytes: int = 200 * MB
    # Excel's own limit for one cell; a longer cell refuses the file (it is not case data).
    max_cell_chars: int = 32_767
    # xlrd reads a legacy .xls whole into memory (and its strings with it): a smaller limit.
    max_xls_bytes: int = 32 * MB

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(
            max_bytes=config.get("IMPORT_MAX_FILE_BYTES", cls.max_bytes),
            max_rows=config.get("IMPORT_MAX_ROWS", cls.max_rows),
            max_sheets=config.get("IMPORT_MAX_SHEETS", cls.max_sheets),
            max_inflated_bytes=config.get("IMPORT_MAX_INFLATED_BYTES", cls.max_inflated_bytes),
            max_cell_chars=config.get("IMPORT_MAX_CELL_CHARS", cls.max_cell_chars),
            max_xls_bytes=config.get("IMPORT_MAX_XLS_BYTES", cls.max_xls_bytes),
        )

    @property
    def max_line_bytes(self) -> int:
        """A physical line of a text file: long enough for many cells at the cap, and short
        enough that reading one line cannot exhaust memory."""
        return max(4 * self.max_cell_chars, MB)


@dataclass(frozen=True)
class SourceFile:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Text:
    """A text file and the encoding it was found to be in; ``open()`` decodes as it reads."""

    source: SourceFile
    encoding: str
    errors: str = "strict"

    def open(self) -> io.TextIOWrapper:
        # BytesIO over bytes shares the buffer: no copy of the file is made.
        return io.TextIOWrapper(
            io.BytesIO(self.source.data), encoding=self.encoding, errors=self.errors, newline=""
        )


def _first_error(data: bytes, encoding: str) -> int | None:
    """The byte offset of the first undecodable byte, or None; decodes a chunk at a time and
    keeps none of the text."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    for start in range(0, len(data), CHUNK):
        pending = len(decoder.getstate()[0])  # bytes of a character cut by the last chunk
        try:
            decoder.decode(view[start : start + CHUNK], final=start + CHUNK >= len(data))
        except UnicodeDecodeError as exc:
            return max(0, start - pending + exc.start)
    return None


def decode_text(source: SourceFile) -> tuple[Text, str | None]:
    """The file as text: UTF-8 with or without BOM, UTF-16 (Excel's "Unicode text"), or
    Windows-1252 as a last resort (with a warning, returned second)."""
    data = source.data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if _first_error(data, "utf-16") is not None:
            raise StructuralError(f"{source.name}: not valid UTF-16 text")
        return Text(source, "utf-16"), None
    utf16 = len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00"
    if utf16 and _first_error(data, "utf-16-le") is None:
        return Text(source, "utf-16-le"), None
    bad = _first_error(data, "utf-8-sig")
    if bad is None:
        return Text(source, "utf-8-sig"), None
    if data.find(b"\x00") != -1:
        raise StructuralError(f"{source.name}: a binary file, not text (byte {bad:,})")
    return Text(source, "cp1252", "replace"), f"{source.name}: not UTF-8; read as Windows-1252 text"


def _long_line(data: bytes, limit: int) -> int:
    """Where a run of more than *limit* bytes without a line end starts, or -1; steps a window at
    a time, so it costs a few searches per megabyte."""
    pos = 0
    while len(data) - pos > limit:
        end = pos + limit + 1
        last = max(data.rfind(b"\n", pos, end), data.rfind(b"\r", pos, end))
        if last == -1:
            return pos
        pos = last + 1
    return -1


def _check_lines(source: SourceFile, limits: Limits) -> None:
    """Refuse a line too long to read safely, before any of it is decoded."""
    limit = limits.max_line_bytes
    at = _long_line(source.data, limit)
    if at != -1:
        line = source.data.count(b"\n", 0, at) + 1
        raise StructuralError(
            f"{source.name} line {line}: longer than {limit:,} bytes (a cell may hold at most "
            f"{limits.max_cell_chars:,} characters); check that this is a CSV file"
        )


def _reader(stream, limits: Limits):
    # The csv module's limit is for the whole process. A field as long as a line is parsed, then
    # held to the cell cap by _check_cells, so the message can name its column; only a quoted
    # field running over many lines meets this limit.
    csv.field_size_limit(limits.max_line_bytes)
    return csv.reader(stream)


def _csv_error(source: SourceFile, reader, exc: csv.Error, limits: Limits) -> StructuralError:
    reason = str(exc)
    if "field larger than field limit" in reason:
        reason = f"a cell longer than {limits.max_cell_chars:,} characters"
    return StructuralError(f"{source.name} line {reader.line_num}: {reason}")


def _check_cells(source, line: int, cells: list[str], header: list[str] | None, limits) -> None:
    cap = limits.max_cell_chars
    if max(map(len, cells), default=0) <= cap:
        return
    column = next(i for i, cell in enumerate(cells) if len(cell) > cap)
    name = header[column].strip() if header and column < len(header) else ""
    label = f"column {column + 1}" + (f" ({name})" if name else "")
    raise StructuralError(
        f"{source.name} line {line}, {label}: a cell of {len(cells[column]):,} characters, "
        f"over the limit of {cap:,} (IMPORT_MAX_CELL_CHARS)"
    )


def _blank(cells: list[str]) -> bool:
    # Most rows start with a value: decided by their first cell without looking further.
    if cells and cells[0] and not cells[0].isspace():
        return False
    return not any(cell.strip() for cell in cells)


def csv_header(source: SourceFile, text: Text, limits: Limits) -> tuple[int, list[str]] | None:
    """(line number, cells) of the first non-blank row, reading no further."""
    _check_lines(source, limits)
    with text.open() as stream:
        reader = _reader(stream, limits)
        try:
            for cells in reader:
                if not _blank(cells):
                    _check_cells(source, reader.line_num, cells, None, limits)
                    return reader.line_num, cells
        except csv.Error as exc:
            raise _csv_error(source, reader, exc, limits) from exc
    return None


def count_csv_rows(source: SourceFile, text: Text, limits: Limits) -> int:
    """Data rows (non-blank rows after the header), every cell held to the cap; refuses at the
    first row over ``max_rows``, having kept none of them."""
    found = csv_header(source, text, limits)
    if found is None:
        return 0
    header_line, header = found
    count = 0
    with text.open() as stream:
        reader = _reader(stream, limits)
        try:
            for cells in reader:
                if reader.line_num <= header_line or _blank(cells):
                    continue
                _check_cells(source, reader.line_num, cells, header, limits)
                count += 1
                if count > limits.max_rows:
                    raise StructuralError(
                        f"{source.name}: more than {limits.max_rows:,} rows; split the file or "
                        "ask for the limit (IMPORT_MAX_ROWS) to be raised"
                    )
        except csv.Error as exc:
            raise _csv_error(source, reader, exc, limits) from exc
    return count


def csv_rows(source: SourceFile, text: Text, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each non-blank row; the header is the first one yielded.

    The rows are counted first (``count_csv_rows``), so a file over the limit is refused
    before its first row is yielded."""
    count_csv_rows(source, text, limits)
    with text.open() as stream:
        reader = _reader(stream, limits)
        try:
            for cells in reader:
                if not _blank(cells):
                    yield reader.line_num, cells
        except csv.Error as exc:
            raise _csv_error(source, reader, exc, limits) from exc
