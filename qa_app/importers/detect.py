"""Recognise what a file is, so that the wrong file gets a message naming what it looks like
("this looks like an SSDA903 Episodes table, not Annex A")."""

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO

from qa_app.importers.common import header_key
from qa_app.importers.snapshot import StructuralError
from qa_app.importers.sources import Limits, SourceFile, csv_rows, decode_text

FORMATS = {
    "annex-a": "an Ofsted Annex A workbook",
    "cin-census": "a CIN census XML file",
    "ssda903": "SSDA903 tables (CSV) or an SSDA903 XML file",
    "csv": "the service's own case CSV",
}
SHEET_LIST = re.compile(r"^\s*list\s*_?\s*(\d{1,2})\b", re.IGNORECASE)
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
OWN_CSV_KEYS = frozenset(header_key(c) for c in OWN_CSV_COLUMNS)


@dataclass
class Detected:
    format: str | None
    kind: str  # what it looks like, for messages: "an SSDA903 Episodes table"
    table: str | None = None  # the SSDA903 table, for CSV files
    text: str | None = None  # decoded text of a CSV file, so it is decoded once
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
    header = next(csv_rows(source, text, limits), None)
    if header is None:
        return Detected(None, "an empty text file")
    cells = header[1]
    keys = {header_key(c) for c in cells}
    table, score = _best_table(keys)
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
        with zipfile.ZipFile(BytesIO(source.data)) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return Detected(None, "a damaged ZIP file or workbook")
    if "word/document.xml" in names:
        return Detected(None, "a Word document")
    if "xl/workbook.xml" not in names:
        return Detected(None, "a ZIP archive")
    if expanded > limits.max_unzipped_bytes:
        raise StructuralError(
            f"{source.name}: the workbook would expand to {expanded / 2**20:,.0f} MB, over the "
            f"limit of {limits.max_unzipped_bytes / 2**20:,.0f} MB"
        )
    return Detected("annex-a", FORMATS["annex-a"])


def _detect_xml(source: SourceFile) -> Detected:
    head = source.data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        start = head.decode("utf-16", errors="ignore")
    else:
        start = head.decode("utf-8", errors="ignore")
    match = _XML_ROOT.search(start)
    root = match.group(1) if match else ""
    if root == "Message":
        return Detected("cin-census", FORMATS["cin-census"])
    if root.upper() == "EXPSSDA903":
        return Detected("ssda903", "an SSDA903 XML file")
    return Detected(None, f"an XML file whose root element is <{root or '?'}>")


def detect(source: SourceFile, limits: Limits) -> Detected:
    """What *source* looks like; ``format`` is None when it is nothing the service reads."""
    data = source.data
    if source.size > limits.max_bytes:
        raise StructuralError(
            f"{source.name}: {source.size / 2**20:,.1f} MB is over the limit of "
            f"{limits.max_bytes / 2**20:,.0f} MB for one file"
        )
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        return Detected(None, "an empty file")
    if data.startswith(b"PK\x03\x04"):
        return _detect_zip(source, limits)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Detected("annex-a", "a legacy Excel (.xls) workbook")
    if data.startswith(b"%PDF"):
        return Detected(None, "a PDF document")
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return Detected(None, "an image")
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<") or data.startswith((b"\xff\xfe<", b"\xfe\xff\x00<")):
        return _detect_xml(source)
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
