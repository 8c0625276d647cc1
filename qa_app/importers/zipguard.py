"""A workbook is a ZIP archive: check what it would inflate to before openpyxl opens it.

The checks go cheapest first, so a hostile file costs what it really is, not what it claims:

1. ``read_directory``: the end record's count of parts (a directory of millions of entries
   would exhaust memory by itself), then the sizes the ZIP directory *declares*. A 1.8 MB file
   declaring 1.75 GiB is refused here without a byte being inflated.
2. ``scan_workbook``: every part inflated once, a chunk at a time, the output kept only as long
   as a chunk. A part that inflates to more than its directory declared (a forged header) is
   refused at the chunk that crosses it, so the limit holds whatever the header says. The same
   pass counts each sheet's rows with values and looks for text longer than a cell may be, so
   both are refused before openpyxl builds a row or loads the shared strings.

No compression-ratio rule: the inflated total bounds memory and time whatever the ratio, and
honest sheets of repeated values compress well past 100:1.
"""

import copy
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from io import BytesIO
from posixpath import join, normpath
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from qa_app.importers.snapshot import StructuralError
from qa_app.importers.sources import MB, Limits, SourceFile

CHUNK = MB
# Parts in one workbook. Excel writes a few per sheet; 10,000 directory entries cost a few MB.
MAX_PARTS = 10_000
# Parts openpyxl parses whole into objects (styles, workbook, relationships, properties): real
# ones are kilobytes; a huge one is a bomb of XML elements, not of bytes.
MAX_WHOLE_PART_BYTES = 16 * MB
# openpyxl keeps every shared string in a list: each entry costs memory however short it is.
MAX_SHARED_STRINGS = 2_000_000
STREAMED = re.compile(r"^xl/(worksheets/[^/]+\.xml|sharedStrings\.xml)$", re.IGNORECASE)
NOT_PARSED = re.compile(r"^xl/(media|embeddings|printerSettings)/|\.bin$", re.IGNORECASE)
_CELL_REF = re.compile(rb'<(?:[\w.-]+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"')
_PREFIX = re.compile(rb"<([A-Za-z_][\w.-]*:)?(?:worksheet|sst)\b")
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class Directory:
    names: set[str]
    declared: int  # bytes of all parts once inflated, as the directory says


@dataclass
class PartScan:
    """What one streamed part (a sheet or the shared strings) holds."""

    rows: int = 0  # rows with at least one value (an upper bound of the non-blank rows)
    strings: int = 0  # shared-string entries
    long_at: tuple | None = None  # where text over the cell cap was found
    over_cap: bool = False  # a run of text longer than the cap in bytes


@dataclass
class WorkbookScan:
    inflated: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # sheet name -> rows with values
    # Whether any text could be over the cell cap (a character takes at least a byte): if not,
    # the rows need no check of their own.
    long_text: bool = False


def _megabytes(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size >= MB else f"{size:,} bytes"


def _entry_count(data: bytes) -> int:
    """The number of parts the end-of-central-directory record announces (ZIP64 included)."""
    tail_start = max(0, len(data) - 22 - 65_535)
    at = data.rfind(b"PK\x05\x06", tail_start)
    if at == -1 or len(data) - at < 22:
        raise zipfile.BadZipFile("no end of central directory")
    entries = struct.unpack_from("<H", data, at + 10)[0]
    locator = at - 20
    if entries == 0xFFFF and locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        offset = struct.unpack_from("<Q", data, locator + 8)[0]
        if data[offset : offset + 4] == b"PK\x06\x06":
            entries = struct.unpack_from("<Q", data, offset + 32)[0]
    return entries


def read_directory(source: SourceFile, limits: Limits) -> Directory:
    """The archive's part names and declared inflated size; refuses a directory over the
    limits without inflating anything. Raises ``zipfile.BadZipFile`` for a damaged archive."""
    entries = _entry_count(source.data)
    if entries > MAX_PARTS:
        raise StructuralError(
            f"{source.name}: the archive lists {entries:,} parts, over the limit of "
            f"{MAX_PARTS:,} for a workbook"
        )
    with zipfile.ZipFile(BytesIO(source.data)) as archive:
        infos = archive.infolist()
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_inflated_bytes:
        raise StructuralError(
            f"{source.name}: the workbook would expand to {_megabytes(declared)} "
            f"({_megabytes(len(source.data))} as uploaded), over the limit of "
            f"{_megabytes(limits.max_inflated_bytes)} (IMPORT_MAX_INFLATED_BYTES)"
        )
    return Directory({info.filename for info in infos}, declared)


def long_run(data: bytes, limit: int) -> int:
    """Where a run of more than *limit* bytes without a ``<`` starts in *data*, or -1. Text in
    XML cannot hold a raw ``<``, so no run means no text node longer than *limit* bytes. Steps a
    window at a time, so it costs a few searches per megabyte."""
    pos = 0
    while len(data) - pos > limit:
        last = data.rfind(b"<", pos, pos + limit + 1)
        if last == -1:
            return pos
        pos = last + 1
    return -1


class _Scanner:
    """Feeds one streamed part through the row count, the string count and the text check."""

    def __init__(self, name: str, limits: Limits):
        self.name = name
        self.sheet = not name.lower().endswith("sharedstrings.xml")
        # Bytes a cell at the cap could take as XML (entities, 4-byte characters); the exact
        # check, with the row and column, is made on the values openpyxl reads.
        self.run_limit = 10 * limits.max_cell_chars + 1024
        self.cap = limits.max_cell_chars
        self.scan = PartScan()
        self.carry = b""
        self.last_cell: tuple | None = None
        self.row: re.Pattern | None = None

    def _patterns(self, data: bytes) -> None:
        match = _PREFIX.search(data)
        prefix = re.escape(match.group(1)) if match and match.group(1) else b""
        self.row = re.compile(rb"<" + prefix + rb"row[\s>/]")
        self.blank = re.compile(
            rb"<" + prefix + rb"row\b[^>]*(?:/>|>\s*(?:<" + prefix + rb"c\b[^>]*/>\s*)*</"
            + prefix + rb"row>)"
        )  # fmt: skip
        self.entry = b"<" + (match.group(1) if match and match.group(1) else b"") + b"si"

    def feed(self, chunk: bytes) -> bool:
        """Take the next chunk; False once text over the cap is found."""
        data = self.carry + chunk
        if self.row is None:
            self._patterns(data)
        if not self.scan.over_cap:
            self.scan.over_cap = long_run(data, self.cap) != -1
        if self.scan.over_cap:
            at = long_run(data, self.run_limit)
            if at != -1:
                self._found(data[:at])
                return False
        cut = data.rfind(b"<")
        body, self.carry = (data[:cut], data[cut:]) if cut > 0 else (b"", data)
        self._count(body)
        return True

    def _count(self, body: bytes) -> None:
        if self.sheet:
            self.scan.rows += len(self.row.findall(body)) - len(self.blank.findall(body))
            refs = _CELL_REF.findall(body[-4096:])
            if refs:
                self.last_cell = refs[-1]
        else:
            self.scan.strings += body.count(self.entry + b">") + body.count(self.entry + b" ")

    def _found(self, before: bytes) -> None:
        if self.sheet:
            refs = _CELL_REF.findall(before[-4096:])
            cell = refs[-1] if refs else self.last_cell
            self.scan.long_at = ("cell", cell)
        else:
            self._count(before)
            self.scan.long_at = ("string", self.scan.strings - 1)


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name -> sheet name, from the workbook and its relationships (small parts, parsed
    safely); empty if they cannot be read, and then parts are named by their path."""
    try:
        book = fromstring(archive.read("xl/workbook.xml"), forbid_dtd=True)
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    except (KeyError, ParseError, DefusedXmlException, zipfile.BadZipFile, ValueError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
        targets[rel.get("Id")] = path
    return {
        targets[sheet.get(REL_NS)]: sheet.get("name", "")
        for sheet in book.iter()
        if sheet.tag.rsplit("}", 1)[-1] == "sheet" and sheet.get(REL_NS) in targets
    }


def _inflate(archive, info, source: SourceFile, limits: Limits, scanner, total: int) -> int:
    """Inflate one part in chunks, never more than a chunk past what its directory declares."""
    probe = copy.copy(info)
    # Room past the declared size: zipfile would otherwise stop there and report a bad CRC,
    # hiding what the part really inflates to.
    probe.file_size = info.file_size + CHUNK + 1
    size = 0
    with archive.open(probe) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > info.file_size:
                raise StructuralError(
                    f"{source.name}: the part {info.filename} inflates to more than the "
                    f"{info.file_size:,} bytes the ZIP directory declares; the file is damaged "
                    "or forged and is refused"
                )
            if total + size > limits.max_inflated_bytes:
                raise StructuralError(
                    f"{source.name}: the workbook expands to more than "
                    f"{_megabytes(limits.max_inflated_bytes)}, over the limit "
                    "(IMPORT_MAX_INFLATED_BYTES)"
                )
            if scanner is not None and not scanner.feed(chunk):
                break
    return size


def _check_whole_part(source: SourceFile, info: zipfile.ZipInfo) -> None:
    if STREAMED.match(info.filename) or NOT_PARSED.search(info.filename):
        return
    if info.file_size > MAX_WHOLE_PART_BYTES:
        raise StructuralError(
            f"{source.name}: the part {info.filename} is {_megabytes(info.file_size)} once "
            f"inflated, over the limit of {_megabytes(MAX_WHOLE_PART_BYTES)} for such a part"
        )


def scan_workbook(source: SourceFile, limits: Limits) -> WorkbookScan:
    """Inflate every part once (see the module docstring); refuses with a message naming the
    file, and the sheet, row and column where there is one."""
    read_directory(source, limits)
    result = WorkbookScan()
    parts: dict[str, PartScan] = {}
    try:
        with zipfile.ZipFile(BytesIO(source.data)) as archive:
            infos = archive.infolist()
            for info in infos:
                _check_whole_part(source, info)
            names = _sheet_names(archive)
            for info in infos:
                streamed = bool(STREAMED.match(info.filename))
                scanner = _Scanner(info.filename, limits) if streamed else None
                result.inflated += _inflate(archive, info, source, limits, scanner, result.inflated)
                if scanner is not None:
                    parts[info.filename] = scanner.scan
                    if scanner.scan.long_at is not None:
                        _refuse_long(source, archive, names, info.filename, scanner.scan, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as exc:
        raise StructuralError(f"{source.name}: the workbook is damaged ({exc})") from exc
    except (RuntimeError, NotImplementedError) as exc:  # encrypted, unknown compression
        raise StructuralError(f"{source.name}: the workbook cannot be read ({exc})") from exc
    strings = sum(p.strings for p in parts.values())
    if strings > MAX_SHARED_STRINGS:
        raise StructuralError(
            f"{source.name}: the workbook holds {strings:,} shared strings, over the limit of "
            f"{MAX_SHARED_STRINGS:,}"
        )
    result.long_text = any(scan.over_cap for scan in parts.values())
    for part, scan in parts.items():
        if not part.lower().endswith("sharedstrings.xml"):
            result.rows[names.get(part, part)] = scan.rows
    return result


def _refuse_long(source, archive, names, part, scan: PartScan, limits) -> None:
    kind, where = scan.long_at
    sheet, cell = names.get(part, part), where
    if kind == "string":
        sheet, cell = _first_use(archive, names, where)
    place = f"{source.name}, sheet {sheet!r}" if sheet else source.name
    if cell:
        place += f", row {int(cell[1])}, column {cell[0].decode()}"
    raise StructuralError(
        f"{place}: a cell longer than {limits.max_cell_chars:,} characters, the limit "
        "(IMPORT_MAX_CELL_CHARS); the file is refused"
    )


def _first_use(archive, names, index: int) -> tuple[str | None, tuple | None]:
    """The first cell showing shared string *index* (only looked for once a file is refused;
    the sheets are read a chunk at a time)."""
    use = re.compile(
        rb'<(?:[\w.-]+:)?c\b([^>]*\bt="s"[^>]*)>\s*<(?:[\w.-]+:)?v>' + str(index).encode() + rb"<"
    )
    for part in names:  # in the workbook's order of sheets
        carry = b""
        with archive.open(part) as stream:
            while chunk := stream.read(CHUNK):
                data = carry + chunk
                match = use.search(data)
                if match:
                    ref = re.search(rb'\br="([A-Z]{1,3})(\d+)"', match.group(1))
                    return names[part], ref.groups() if ref else None
                carry = data[-4096:]
    return None, None
