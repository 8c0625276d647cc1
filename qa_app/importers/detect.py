"""Recognise what a file is, so that the wrong file gets a message naming what it looks like
("this looks like an SSDA903 Episodes table, not Annex A")."""

import re
import zipfile
from dataclasses import dataclass

from qa_app.importers.common import header_key
from qa_app.importers.snapshot import StructuralError
from qa_app.importers.sources import Limits, SourceFile, Text, csv_header, decode_text
from qa_app.importers.zipguard import long_run, read_directory

FORMATS = {
    "annex-a": "an Ofsted Annex A workbook",
    "cin-census": "a CIN census XML file",
    "ssda903": "SSDA903 tables (CSV) or an SSDA903 XML file",
    "csv": "the service's own case CSV",
}
SHEET_LIST = re.compile(r"^\s*list\s*_?\s*(\d{1,2})\b", re.IGNORECASE)
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTENT = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf\xff\xfe]")
_TEXT_START = re.compile(rb"[^\xef\xbb\xbf \t\r\n]")
_XML_ROOT = re.compile(r"<(?![?!])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")

# SSDA903 CSV tables, recognised by their set of columns, as header keys
# (docs/formats.md#how-a-file-is-recognised).
SSDA903_TABLES: dict[str, frozenset[str]] = {
    "Header": frozenset(["child", "sex", "dob", "ethnic", "upn", "mother", "mcdob"]),
    "Episodes": frozenset(
        [
            "child",
            "decom",
            "rne",
            "ls",
            "cin",
            "place",
            "placeprovider",
            "dec",
            "rec",
            "reasonplacechange",
            "homepost",
            "plpost",
            "urn",
        ]
    ),
    "SWEpisodes": frozenset(["child", "dob", "swid", "swdecom", "swdec", "swreason"]),
    "UASC": frozenset(["child", "sex", "dob", "duc"]),
    "Reviews": frozenset(["child", "dob", "review", "reviewcode"]),
    "OC2": frozenset(
        [
            "child",
            "dob",
            "sdqscore",
            "sdqreason",
            "convicted",
            "healthcheck",
            "immunisations",
            "teethcheck",
            "healthassessment",
            "substancemisuse",
            "interventionreceived",
            "interventionoffered",
        ]
    ),
    "OC3": frozenset(["child", "dob", "intouch", "activ", "accom"]),
    "AD1": frozenset(
        ["child", "dob", "dateint", "datematch", "fostercare", "nbadoptr", "sexadoptr", "lsadoptr"]
    ),
    "PlacedAdoption": frozenset(
        ["child", "dob", "dateplaced", "dateplacedceased", "reasonplacedceased"]
    ),
    "PrevPerm": frozenset(["child", "dob", "prevperm", "laperm", "dateperm"]),
    "Missing": frozenset(["child", "dob", "missing", "misstart", "misend"]),
}
OWN_CSV_COLUMNS = (
    "child_id", "dob", "sex", "ethnicity", "disability", "cohort", "opened_on", "team",
    "worker", "worker_email", "iro",
)  # fmt: skip
# The columns the case CSV cannot do without; the others are optional (docs/formats.md).
OWN_CSV_REQUIRED = ("child_id", "cohort", "opened_on", "team", "worker")
OWN_CSV_KEYS = frozenset(header_key(c) for c in OWN_CSV_COLUMNS)
OWN_CSV_REQUIRED_KEYS = frozenset(header_key(c) for c in OWN_CSV_REQUIRED)


@dataclass
class Detected:
    format: str | None
    kind: str  # what it looks like, for messages: "an SSDA903 Episodes table"
    table: str | None = None  # the SSDA903 table, for CSV files
    text: Text | None = None  # a CSV file's encoding, so it is checked once
    text_warning: str | None = None


def _best_table(keys: set[str]) -> tuple[str | None, float]:
    best, best_score = None, 0.0
    candidates = {**SSDA903_TABLES, "own": OWN_CSV_KEYS}
    for name, columns in candidates.items():
        score = len(keys & columns) / len(columns)
        if score > best_score or (
            score == best_score and best and len(columns) > len(candidates[best])
        ):
            best, best_score = name, score
    return best, best_score


def _detect_csv(source: SourceFile, limits: Limits) -> Detected:
    text, warning = decode_text(source)
    header = csv_header(source, text, limits)
    if header is None:
        return Detected(None, "an empty text file")
    cells = header[1]
    keys = {header_key(c) for c in cells}
    # A file with every required column is the case CSV however few optional ones it has: by
    # the half-the-columns rule alone, the README's five required columns were refused.
    table, score = ("own", 1.0) if keys >= OWN_CSV_REQUIRED_KEYS else _best_table(keys)
    shown = ", ".join(c.strip() for c in cells[:8]) + (", ..." if len(cells) > 8 else "")
    if table is None or score < 0.5:
        return Detected(None, f"a table with the columns {shown}", text=text)
    if table == "own":
        return Detected("csv", FORMATS["csv"], text=text, text_warning=warning)
    return Detected(
        "ssda903", f"an SSDA903 {table} table", table=table, text=text, text_warning=warning
    )


def _detect_zip(source: SourceFile, limits: Limits) -> Detected:
    try:
        names = read_directory(source, limits).names
    except zipfile.BadZipFile:
        return Detected(None, "a damaged ZIP file or workbook")
    if "word/document.xml" in names:
        return Detected(None, "a Word document")
    if "xl/workbook.xml" not in names:
        return Detected(None, "a ZIP archive")
    return Detected("annex-a", FORMATS["annex-a"])


def _check_xml_text(source: SourceFile, limits: Limits) -> None:
    """Refuse text longer than a cell may be before the XML parser would hold it whole (XML
    text cannot contain a raw ``<``; the bound allows for entities and wide characters)."""
    at = long_run(source.data, 10 * limits.max_cell_chars + 1024)
    if at != -1:
        line = source.data.count(b"\n", 0, at) + 1
        raise StructuralError(
            f"{source.name} line {line}: a value longer than {limits.max_cell_chars:,} "
            "characters, the limit (IMPORT_MAX_CELL_CHARS); the file is refused"
        )


def _check_xml_rows(source: SourceFile, element: str, limits: Limits) -> None:
    """Count the children's elements in the raw bytes (an upper bound: a commented-out one
    counts too), so a file over the limit is refused before the reader holds any of them."""
    data = source.data
    encoding = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}.get(data[:2], "utf-8")
    tags = [f"<{element}{end}".encode(encoding) for end in (">", " ")]
    count = data.count(tags[0]) + data.count(tags[1])
    if count > limits.max_rows:
        raise StructuralError(
            f"{source.name}: more than {limits.max_rows:,} children; ask for the limit "
            "(IMPORT_MAX_ROWS) to be raised"
        )


def _detect_xml(source: SourceFile, limits: Limits) -> Detected:
    _check_xml_text(source, limits)
    head = source.data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        start = head.decode("utf-16", errors="ignore")
    else:
        start = head.decode("utf-8", errors="ignore")
    match = _XML_ROOT.search(start)
    root = match.group(1) if match else ""
    if root == "Message":
        _check_xml_rows(source, "Child", limits)
        return Detected("cin-census", FORMATS["cin-census"])
    if root.upper() == "EXPSSDA903":
        _check_xml_rows(source, "CHILD", limits)
        return Detected("ssda903", "an SSDA903 XML file")
    return Detected(None, f"an XML file whose root element is <{root or '?'}>")


def work_size(source: SourceFile, limits: Limits) -> int:
    """The bytes a reader will go through: a workbook's inflated size as its ZIP directory
    declares it, else the file's size. Refuses, without inflating anything, a file over the
    size limits or a ZIP directory over its limits (cheap enough for a web request)."""
    _check_size(source, limits)
    if source.data.startswith(b"PK\x03\x04"):
        try:
            return max(source.size, read_directory(source, limits).declared)
        except zipfile.BadZipFile:
            return source.size  # detection names it as damaged
    return source.size


def _check_size(source: SourceFile, limits: Limits) -> None:
    if source.size > limits.max_bytes:
        raise StructuralError(
            f"{source.name}: {source.size / 2**20:,.1f} MB is over the limit of "
            f"{limits.max_bytes / 2**20:,.0f} MB for one file (IMPORT_MAX_FILE_BYTES)"
        )
    if source.data.startswith(XLS_MAGIC) and source.size > limits.max_xls_bytes:
        raise StructuralError(
            f"{source.name}: {source.size / 2**20:,.1f} MB is over the limit of "
            f"{limits.max_xls_bytes / 2**20:,.0f} MB for a legacy .xls workbook, which is "
            "read whole into memory (IMPORT_MAX_XLS_BYTES); save it as .xlsx"
        )


def detect(source: SourceFile, limits: Limits) -> Detected:
    """What *source* looks like; ``format`` is None when it is nothing the service reads."""
    data = source.data
    _check_size(source, limits)
    if _CONTENT.search(data) is None:  # no copy of the file, unlike bytes.strip()
        return Detected(None, "an empty file")
    if data.startswith(b"PK\x03\x04"):
        return _detect_zip(source, limits)
    if data.startswith(XLS_MAGIC):
        return Detected("annex-a", "a legacy Excel (.xls) workbook")
    if data.startswith(b"%PDF"):
        return Detected(None, "a PDF document")
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return Detected(None, "an image")
    start = _TEXT_START.search(data)
    xml = start is not None and data.startswith(b"<", start.start())
    if xml or data.startswith((b"\xff\xfe<", b"\xfe\xff\x00<")):
        return _detect_xml(source, limits)
    head = data[:4096]
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1:2] == b"\x00"
    if b"\x00" in head and not utf16:
        return Detected(None, "a binary file (not a workbook, XML or text)")
    return _detect_csv(source, limits)


def expect(source: SourceFile, detected: Detected, wanted: str | None) -> str:
    """The file's format, or a StructuralError naming what the file looks like."""
    if wanted is not None and detected.format != wanted:
        raise StructuralError(
            f"{source.name}: this looks like {detected.kind}, not {FORMATS[wanted]}"
        )
    if detected.format is None:
        raise StructuralError(
            f"{source.name}: this looks like {detected.kind}, which the service cannot import; "
            "expected an Ofsted Annex A workbook, a CIN census XML file, SSDA903 tables or the "
            "case CSV described in the README"
        )
    return detected.format
