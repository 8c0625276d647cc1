"""Files handed to the readers, the limits they must respect, and text and CSV decoding."""

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass

from qa_app.importers.snapshot import StructuralError

# csv's own default; a longer cell is a structural error with the line number.
CSV_FIELD_LIMIT = 131_072


@dataclass(frozen=True)
class Limits:
    """Refuse what would exhaust the machine, with a message saying which limit was hit."""

    max_bytes: int = 200 * 1024 * 1024
    max_rows: int = 500_000  # data rows per sheet, table or XML file
    max_sheets: int = 60
    # A workbook is a ZIP: refuse one that would expand to more than this (a "ZIP bomb").
    max_unzipped_bytes: int = 2 * 1024 * 1024 * 1024

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(
            max_bytes=config.get("IMPORT_MAX_FILE_BYTES", cls.max_bytes),
            max_rows=config.get("IMPORT_MAX_ROWS", cls.max_rows),
            max_sheets=config.get("IMPORT_MAX_SHEETS", cls.max_sheets),
        )


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


def decode_text(source: SourceFile) -> tuple[str, str | None]:
    """The file as text: UTF-8 with or without BOM, UTF-16 (Excel's "Unicode text"), or
    Windows-1252 as a last resort (with a warning, returned second)."""
    data = source.data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            raise StructuralError(f"{source.name}: not valid UTF-16 text") from exc
    if len(data) >= 4 and (data[1:2] == b"\x00" and data[3:4] == b"\x00"):
        try:
            return data.decode("utf-16-le"), None
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        if b"\x00" in data:
            raise StructuralError(
                f"{source.name}: a binary file, not text (byte {exc.start:,})"
            ) from exc
        return data.decode("cp1252", errors="replace"), (
            f"{source.name}: not UTF-8; read as Windows-1252 text"
        )


def csv_rows(source: SourceFile, text: str, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each non-blank row; the header is the first one yielded."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""))
    count = 0
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > limits.max_rows + 1:
                raise StructuralError(
                    f"{source.name}: more than {limits.max_rows:,} rows; split the file or ask "
                    "for the limit (IMPORT_MAX_ROWS) to be raised"
                )
            yield reader.line_num, cells
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = f"a cell longer than {CSV_FIELD_LIMIT:,} characters"
        raise StructuralError(f"{source.name} line {reader.line_num}: {reason}") from exc
