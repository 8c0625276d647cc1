"""Benchmark: importing case data (docs/formats.md). Targets: Annex A with 100,000 case rows across Lists
6-9, dry run and real import under 60 s each with peak memory under 1 GB; SSDA903 with 50,000
episodes under 15 s; CIN census with 50,000 children under 30 s; re-importing the same file gives
the same counts, zero changes, and is faster than the first import. Hostile files (issue 13: a
1.8 MB workbook holding one 1.75 GiB cell, a workbook whose ZIP directory lies about its size, a
1-million-row CSV) are each refused in a process of their own, whose peak memory is printed:
target under 300 MB and under 10 s each.

Run with `bash benchmarks/run imports` (SQLite and a throwaway PostgreSQL), or
`.venv/bin/python -m benchmarks.imports` for SQLite only, `... --hostile` for the hostile files
only. The files are generated here (fake
data), every cell filled as in a real extract.
"""

import json
import os
import random
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

from benchmarks.common import bench_app, database_urls
from qa_app.extensions import db
from qa_app.importers import Limits, SourceFile, StructuralError, read_files
from qa_app.services.imports.apply import run_import

AS_OF = date(2026, 3, 31)
NOW = datetime(2026, 4, 1, 7, 0)
CASE_ROWS = 100_000
LIST_SHARE = {6: 0.35, 7: 0.15, 8: 0.30, 9: 0.20}
COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age",
          "Does the Child have a Disability"]  # fmt: skip
HEADERS = {
    4: [*COMMON, "Continuous Assessment Start Date", "Child Seen During Continuous Assessment",
                 "Continuous Assessment Date of Authorisation",
                 "Was the child assessed as requiring LA children's social care support?",
                 "Allocated Team", "Allocated Worker"],
    6: [*COMMON, "CIN Start Date", "Primary Need Code", "Date Child Was Last Seen",
                 "CIN Closure Date", "Reason for Closure", "Case Status", "Allocated Team",
                 "Allocated Worker"],
    7: [*COMMON, "Child Protection Plan Start Date", "Initial Category of Abuse",
                 "Latest Category of Abuse", "Date of the Last Statutory Visit",
                 "Was the Child Seen Alone?", "Date of latest review conference",
                 "Child Protection Plan End Date",
                 "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
                 "Number of Previous Child Protection Plans", "Allocated Team", "Allocated Worker"],
    8: [*COMMON[:5], "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))",
                     "Does the Child have a Disability", "Date Started to be Looked After",
                     "Child's Category of Need",
                     "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
                     "Start date of current legal status", "Child's Legal Status",
                     "Date of Latest Statutory Review", "Date of Last Social Work Visit",
                     "What is the permanence plan for this child?",
                     "Date of Last IRO Visit / Contact to the Child", "Date of Last Health Assessment",
                     "Date of Last Dental Check", "Number of Placements in the Last 12 months",
                     "Date Ceased to be Looked After", "Reason Ceased to be Looked After",
                     "Start Date of Most Recent Placement", "Placement Type", "Placement Provider",
                     "Placement postcode", "URN of Placement", "Placement Location",
                     "LA of Placement",
                     "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
                     "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
                     "Was the child offered a Return Interview after their last missing episode (Y/N)?",
                     "Did the child accept a Return Interview after their last missing episode (Y/N)?",
                     "Allocated Team", "Allocated Worker"],
    9: [*COMMON, "Allocated Team", "Allocated Worker", "Eligibility Category", "LA in Touch",
                 "Type of Accommodation", "Suitability of Accommodation", "Activity Status"],
}  # fmt: skip
ETHNIC = ["a) WBRI", "b) WIRI", "k) APKN", "s) NOBT", "f) MWBC", "r) OOTH"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _day(rng: random.Random, low: int, high: int) -> datetime:
    return datetime(2026, 3, 31) - timedelta(days=rng.randint(low, high))


def generate_annex_a(path: Path, rows: int, rng: random.Random) -> None:
    # Shared strings, as Excel itself writes them (constant_memory would write inline strings).
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    teams = [f"Locality {i // 8 + 1} Team {i % 8 + 1}" for i in range(64)]
    workers = [f"Worker{i:04d} Surname{i % 97}" for i in range(3000)]
    counts = {n: int(rows * share) for n, share in LIST_SHARE.items()}
    counts[6] += rows - sum(counts.values())
    next_id = 1_000_000
    for number in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11):
        sheet = book.add_worksheet(f"List {number}")
        header = HEADERS.get(number, ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth"])
        sheet.write_row(0, 0, header)
        for r in range(1, counts.get(number, 0) + 1):
            child = next_id if rng.random() > 0.05 else rng.randint(1_000_000, next_id)
            next_id += 1
            values = {
                "Child Unique ID": child,
                "Gender": rng.choice(["a) Male", "b) Female"]),
                "Ethnicity": rng.choice(ETHNIC),
                "Age": rng.random() * 17,
                "Does the Child have a Disability": rng.choice(["a) Yes", "b) No"]),
                "Allocated Team": rng.choice(teams) if rng.random() > 0.01 else "#N/A",
                "Allocated Worker": rng.choice(workers) if rng.random() > 0.02 else "#N/A",
                "Child's Legal Status": rng.choice(["C2: FCO", "E1: Placement order", "V3", "V4"]),
            }
            for c, name in enumerate(header):
                if "Date" in name and name not in ("Date Ceased to be Looked After",
                                                   "CIN Closure Date",
                                                   "Child Protection Plan End Date"):  # fmt: skip
                    sheet.write_datetime(r, c, _day(rng, 1, 3000), date_format)
                elif name in ("CIN Closure Date", "Child Protection Plan End Date",
                              "Date Ceased to be Looked After"):  # fmt: skip
                    if rng.random() < 0.1:
                        sheet.write_datetime(r, c, _day(rng, -30, 30), date_format)
                elif name in values:
                    sheet.write(r, c, values[name])
                else:
                    sheet.write_string(r, c, "x")
    book.close()


def generate_ssda903(folder: Path, episodes: int, rng: random.Random) -> list[Path]:
    header = folder / "header.csv"
    episodes_path = folder / "episodes.csv"
    children = int(episodes * 0.6)
    with header.open("w", newline="") as out:
        out.write("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n")
        for i in range(children):
            out.write(
                f"{5_000_000 + i},{rng.choice('12')},{_day(rng, 400, 6000):%d/%m/%Y},WBRI,A123,,\r\n"
            )
    with episodes_path.open("w", newline="") as out:
        out.write("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
                  "HOME_POST,PL_POST,URN\r\n")  # fmt: skip
        for i in range(episodes):
            child = 5_000_000 + (i % children)
            start = _day(rng, 10, 2000)
            end = (
                ""
                if rng.random() < 0.5
                else f"{start + timedelta(days=rng.randint(1, 400)):%d/%m/%Y}"
            )
            legal = rng.choice(["C2", "J2", "V3", "V4", "E1"])
            out.write(
                f"{child},{start:%d/%m/%Y},S,{legal},N1,U1,PR1,{end},E11,,AB1 2CD,AB1 2CE,123\r\n"
            )
    return [header, episodes_path]


def generate_census(path: Path, children: int, rng: random.Random) -> None:
    with path.open("w") as out:
        out.write("<Message><Header><CollectionDetails><Collection>CIN</Collection>"
                  "<ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails></Header><Children>")  # fmt: skip
        for i in range(children):
            referral = _day(rng, 10, 800)
            closure = (
                ""
                if rng.random() < 0.6
                else f"<CINclosureDate>{_day(rng, -20, 9):%Y-%m-%d}</CINclosureDate>"
            )
            plan = ""
            if rng.random() < 0.3:
                plan = (f"<ChildProtectionPlans><CPPstartDate>{referral:%Y-%m-%d}</CPPstartDate>"
                        "<CPPendDate/></ChildProtectionPlans>")  # fmt: skip
            out.write(
                f"<Child><ChildIdentifiers><LAchildID>{7_000_000 + i}</LAchildID>"
                f"<PersonBirthDate>{_day(rng, 400, 6000):%Y-%m-%d}</PersonBirthDate>"
                f"<GenderCurrent>{rng.choice('12')}</GenderCurrent></ChildIdentifiers>"
                "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity><Disabilities><Disability>NONE"
                "</Disability></Disabilities></ChildCharacteristics>"
                f"<CINdetails><CINreferralDate>{referral:%Y-%m-%d}</CINreferralDate>{closure}"
                f"<ReferralNFA>false</ReferralNFA><Assessments><AssessmentActualStartDate>"
                f"{referral:%Y-%m-%d}</AssessmentActualStartDate><AssessmentAuthorisationDate>"
                f"{referral + timedelta(days=20):%Y-%m-%d}</AssessmentAuthorisationDate>"
                f"</Assessments>{plan}</CINdetails></Child>"
            )
        out.write("</Children></Message>")


def measure(label: str, db_label: str, files: list[Path], rows: int, *, dry_run=False) -> dict:
    sources = [SourceFile(p.name, p.read_bytes()) for p in files]
    started = time.perf_counter()
    # The closure rule is waived (share 1): a benchmark's later files close cases on purpose.
    outcome = run_import(sources, AS_OF, dry_run=dry_run, by=None, now=NOW, closure_share=1.0)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    elapsed = time.perf_counter() - started
    summary = outcome.summary
    changes = sum(v for k, v in summary["changes"].items() if k != "unchanged")
    print(
        f"{label:<26} {db_label:<10} {rows:>8,} rows {elapsed:6.1f} s {rows / elapsed:>8,.0f} rows/s "
        f"peak RSS {peak_rss_mb():6.0f} MB  open {summary['open_cases']:,}  changes {changes:,}",
        flush=True,
    )
    return {"elapsed": elapsed, "summary": summary, "changes": changes}


def generate(folder: Path) -> None:
    rng = random.Random(2026)
    generate_annex_a(folder / "annex_a.xlsx", CASE_ROWS, rng)
    generate_ssda903(folder, 50_000, rng)
    generate_census(folder / "census.xml", 50_000, rng)


# --- hostile files ------------------------------------------------------------------------

MIB = 1024 * 1024
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{sheets}<Override '
    'PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HOSTILE_LISTS = (4, 6, 7, 8, 9)


def _workbook_parts(archive: zipfile.ZipFile) -> None:
    """The small parts of an Annex A workbook with Lists 4, 6, 7, 8 and 9 (each sheet N's
    XML is written by the caller as xl/worksheets/sheetN.xml)."""
    n = range(1, len(HOSTILE_LISTS) + 1)
    archive.writestr(
        "[Content_Types].xml",
        CONTENT_TYPES.format(sheets="".join(SHEET_TYPE.format(n=i) for i in n)),
    )
    archive.writestr(
        "_rels/.rels",
        f'<?xml version="1.0"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    )
    sheets = "".join(
        f'<sheet name="List {number}" sheetId="{i}" r:id="rId{i}"/>'
        for i, number in zip(n, HOSTILE_LISTS, strict=True)
    )
    archive.writestr(
        "xl/workbook.xml",
        f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>{sheets}'
        "</sheets></workbook>",
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{DOC}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in n
    )
    archive.writestr(
        "xl/_rels/workbook.xml.rels",
        f'<?xml version="1.0"?><Relationships xmlns="{RELS}">{rels}<Relationship Id="rIdS" '
        f'Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )


def _sheet(cells: str = "") -> str:
    return (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData><row r="1">'
        f'<c r="A1" t="inlineStr"><is><t>Child Unique ID</t></is></c></row>{cells}'
        "</sheetData></worksheet>"
    )


def generate_huge_cell(path: Path, gib: float = 1.75) -> None:
    """A workbook of about 1.8 MB whose shared strings hold one cell of *gib* GiB of text,
    written a megabyte at a time (never in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _workbook_parts(archive)
        for i in range(1, len(HOSTILE_LISTS) + 1):
            cell = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>' if i == 2 else ""
            archive.writestr(f"xl/worksheets/sheet{i}.xml", _sheet(cell))
        with archive.open("xl/sharedStrings.xml", "w") as out:
            out.write(
                f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
            )
            block = b"x" * MIB
            for _ in range(int(gib * 1024)):
                out.write(block)
            out.write(b"</t></si></sst>")


def generate_lying_size(path: Path, declared: int = 100 * MIB, real_mib: int = 1024) -> None:
    """A workbook whose ZIP directory (and local header) says List 6's sheet inflates to
    *declared* bytes; it really inflates to *real_mib* MiB of ordinary rows."""
    row = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>x</t></is></c></row>'
        for r in range(2, 202)  # a block deflate's 32 KB window sees repeat
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _workbook_parts(archive)
        for i in (1, 3, 4, 5):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", _sheet())
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}"/>')
        with archive.open("xl/worksheets/sheet2.xml", "w") as out:
            out.write(_sheet().split("</sheetData>")[0].encode())
            written = 0
            while written < real_mib * MIB:
                out.write(row)
                written += len(row)
            out.write(b"</sheetData></worksheet>")
    _forge_size(path, "xl/worksheets/sheet2.xml", declared)


def _forge_size(path: Path, name: str, size: int) -> None:
    """Overwrite the uncompressed size of *name* in its local header and directory entry."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
        directory = archive.start_dir
    local = info.header_offset
    struct.pack_into("<I", data, local + 22, size)
    central = data.find(b"PK\x01\x02", directory)
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == encoded:
            struct.pack_into("<I", data, central + 24, size)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def generate_million_rows(path: Path, rows: int = 1_000_000) -> None:
    with path.open("w", newline="") as out:
        out.write(
            "child_id,dob,sex,ethnicity,disability,cohort,opened_on,team,worker,worker_email,iro\r\n"
        )
        for i in range(rows):
            out.write(
                f"{8_000_000 + i},01/02/2015,F,WBRI,N,cin,01/03/2025,Team {i % 40},Worker {i % 900},,\r\n"
            )


def refuse(path: Path) -> None:
    """In a child process: read one hostile file as an import would, print the refusal."""
    started = time.perf_counter()
    try:
        read_files([SourceFile(path.name, path.read_bytes())], AS_OF, limits=Limits())
        message = "NOT REFUSED"
    except StructuralError as exc:
        message = str(exc)
    print(json.dumps({"seconds": time.perf_counter() - started, "message": message}), flush=True)


def hostile(folder: Path) -> None:
    files = {
        "one 1.75 GiB cell": (folder / "huge_cell.xlsx", generate_huge_cell),
        "lying ZIP directory": (folder / "lying_size.xlsx", generate_lying_size),
        "1,000,000-row CSV": (folder / "million.csv", generate_million_rows),
    }
    for label, (path, make) in files.items():
        make(path)
        child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.imports", "--refuse", str(path)],
            stdout=subprocess.PIPE,
        )
        output = child.stdout.read()
        _pid, _status, usage = os.wait4(child.pid, 0)
        child.stdout.close()
        result = json.loads(output)
        peak = usage.ru_maxrss / 1024
        cpu = usage.ru_utime + usage.ru_stime  # the whole child: start-up, reading, refusal
        met = "meets" if peak < 300 and result["seconds"] < 10 else "MISSES"
        print(
            f"{label:<22} {path.stat().st_size / MIB:7.1f} MB file  refused in "
            f"{result['seconds']:5.2f} s (child CPU {cpu:5.2f} s)  peak RSS {peak:5.0f} MB  "
            f"({met} 300 MB / 10 s)\n  {result['message']}",
            flush=True,
        )
        path.unlink()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        hostile(Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        # In another process, so that the peak memory printed is the import's alone.
        subprocess.run([sys.executable, "-m", "benchmarks.imports", "--generate", tmp], check=True)
        annex = folder / "annex_a.xlsx"
        ssda = [folder / "header.csv", folder / "episodes.csv"]
        census = folder / "census.xml"
        print(f"generated files in {time.perf_counter() - started:.0f} s "
              f"(Annex A {annex.stat().st_size / 2**20:.1f} MB)", flush=True)  # fmt: skip
        for db_label, url in database_urls(tmp):
            app = bench_app(url)
            with app.app_context():
                dry = measure("Annex A dry run", db_label, [annex], CASE_ROWS, dry_run=True)
                first = measure("Annex A import", db_label, [annex], CASE_ROWS)
                again = measure("Annex A re-import", db_label, [annex], CASE_ROWS)
                same = {k: first["summary"][k] for k in ("open_cases", "by_cohort", "children")}
                print(
                    f"  Annex A targets: dry run {'meets' if dry['elapsed'] < 60 else 'MISSES'} 60 s; "
                    f"import {'meets' if first['elapsed'] < 60 else 'MISSES'} 60 s; peak RSS "
                    f"{'meets' if peak_rss_mb() < 1024 else 'MISSES'} 1 GB; re-import same counts "
                    f"{same == {k: again['summary'][k] for k in same}}, zero changes "
                    f"{again['changes'] == 0}, faster {again['elapsed'] < first['elapsed']}",
                    flush=True,
                )
                db.session.remove()
            app = bench_app(url)
            with app.app_context():
                result = measure("SSDA903 import", db_label, ssda, 50_000)
                print(f"  SSDA903 target: {'meets' if result['elapsed'] < 15 else 'MISSES'} 15 s")
                result = measure("CIN census import", db_label, [census], 50_000)
                print(
                    f"  CIN census target: {'meets' if result['elapsed'] < 30 else 'MISSES'} 30 s"
                )
                db.session.remove()
                db.engine.dispose()


# --- Annex A with every list, imported with its events (issue 16) ---------------------------
# 100,000 children on Lists 1-11, about 400,000 rows; targets: first import under 90 s and 1 GB
# peak, the same file again faster with nothing changed. Each database runs in its own process
# (`--events FOLDER URL`), so the peak memory printed is that import's alone; `qa kpi show` is
# timed on the loaded database. `.venv/bin/python -m benchmarks.imports --events-only` runs this
# section alone (SQLite, plus PostgreSQL when QA_BENCH_DATABASE_URL is set).
EVENT_CHILDREN = 100_000
EVENT_ROWS = {1: 120_000, 2: 20_000, 3: 60_000, 4: 55_000, 5: 20_000, 6: 60_000, 7: 15_000,
              8: 25_000, 9: 15_000, 10: 3_000, 11: 2_000}  # fmt: skip
EVENT_HEADERS = {
    1: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Date of Contact",
        "Contact Source"],
    2: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age",
        "Assessment start date", "Assessment completion date",
        "Organisation completing assessment"],
    3: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Date of Referral",
        "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months",
        "Allocated Team", "Allocated Worker"],
    5: [*COMMON, "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months", "Allocated Team", "Allocated Worker"],
    10: ["Child Unique ID", "Family identifier", "Gender", "Ethnicity", "Date of Birth",
         "Age of Child (Years)", "Does the Child have a Disability", "Date the Child Entered Care",
         "Date of Decision that Child Should be Placed for Adoption"],
    11: ["Individual adopter identifier", "Family identifier", "Gender", "Ethnicity",
         "Disability", "Date enquiry received"],
}  # fmt: skip
BASE = date(1899, 12, 30)


def _serial(day: date) -> int:
    return (day - BASE).days


def _event_value(name: str, rng: random.Random, child: int, start: date, teams, workers):
    """A believable value for a column of the official template (dates as Excel serials)."""
    key = name.casefold()
    if name in ("Child Unique ID", "Individual adopter identifier"):
        return child
    if "end date" in key or "closure" in key or ("ceased" in key and "date" in key):
        return _serial(start + timedelta(days=rng.randint(20, 700))) if rng.random() < 0.3 else ""
    if "authorisation" in key or ("initial child protection conference" in key and "date" in key):
        return _serial(start + timedelta(days=rng.randint(5, 80))) if rng.random() < 0.9 else ""
    if "date of birth" in key:
        return _serial(date(2010, 1, 1) + timedelta(days=rng.randint(0, 5000)))
    if "date" in key:
        return _serial(start - timedelta(days=rng.randint(0, 60)) if "last" in key else start)
    if "number" in key:
        return rng.choice([0, 0, 1, 1, 2, 3])
    if "allocated team" in key:
        return rng.choice(teams)
    if "allocated" in key:
        return rng.choice(workers)
    if key == "gender":
        return rng.choice(["a) Male", "b) Female"])
    if key == "ethnicity":
        return rng.choice(ETHNIC)
    if "legal status" in key:
        return rng.choice(["C2: FCO", "E1: Placement order", "V2: Single period under S20"])
    if "(y/n)" in key or "?" in name or "disability" in key or "seen" in key:
        return rng.choice(["a) Yes", "b) No"])
    if key == "la in touch":
        return rng.choice(["a) Yes", "a) Yes", "b) No"])
    if key == "type of accommodation":
        return "U: Independent living"
    if key == "suitability of accommodation":
        return rng.choice(["a) Suitable", "a) Suitable", "b) Unsuitable"])
    if key == "activity status":
        return rng.choice(["F1: Full time in higher education", "G5: Not in education"])
    if key == "age":
        return rng.randint(0, 17)
    return "x"


def generate_annex_a_events(path: Path, rng: random.Random) -> int:
    """Every list, children drawn from 100,000; returns the number of data rows."""
    book = xlsxwriter.Workbook(str(path))
    teams = [f"Locality {i // 8 + 1} Team {i % 8 + 1}" for i in range(64)]
    workers = [f"Worker{i:04d} Surname{i % 97}" for i in range(3000)]
    total = 0
    for number, count in EVENT_ROWS.items():
        sheet = book.add_worksheet(f"List {number}")
        header = EVENT_HEADERS.get(number) or HEADERS[number]
        sheet.write_row(0, 0, header)
        for r in range(1, count + 1):
            child = 1_000_000 + rng.randrange(EVENT_CHILDREN)
            start = AS_OF - timedelta(days=rng.randint(1, 360 if number in (3, 4, 5) else 1500))
            sheet.write_row(
                r, 0, [_event_value(n, rng, child, start, teams, workers) for n in header]
            )
        total += count
    book.close()
    return total


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure_events(folder: Path, db_label: str, url: str) -> None:
    from qa_app.services.performance.figures import kpi_show  # noqa: PLC0415

    annex = folder / "annex_a_events.xlsx"
    rows = sum(EVENT_ROWS.values())
    app = bench_app(url)
    with app.app_context():
        cpu = cpu_seconds()
        first = measure("Annex A + events import", db_label, [annex], rows)
        cpu, first_cpu = cpu_seconds(), cpu_seconds() - cpu
        kept = sum(k["added"] for k in first["summary"]["events"]["kinds"].values())
        again = measure("Annex A + events again", db_label, [annex], rows)
        again_cpu = cpu_seconds() - cpu
        print(f"  CPU time of this process: import {first_cpu:.1f} s, again {again_cpu:.1f} s "
              "(the wall time above includes waiting for a busy machine)", flush=True)  # fmt: skip
        events = again["summary"]["events"]["kinds"]
        changed = sum(k["added"] + k["removed"] for k in events.values())
        started = time.perf_counter()
        kpis = kpi_show(AS_OF.strftime("%Y-%m"))["kpis"]
        db.session.commit()
        show = time.perf_counter() - started
        print(
            f"  events kept {kept:,}; targets: import {'meets' if first['elapsed'] < 90 else 'MISSES'}"
            f" 90 s; peak RSS {'meets' if peak_rss_mb() < 1024 else 'MISSES'} 1 GB; again: events "
            f"changed {changed:,}, cases changed {again['changes']:,}, faster "
            f"{again['elapsed'] < first['elapsed']}; qa kpi show ({len(kpis)} figures) "
            f"{show:.2f} s ({'meets' if show < 2 else 'MISSES'} 2 s)",
            flush=True,
        )
        db.session.remove()
        db.engine.dispose()


def events_main(tmp: str) -> None:
    folder = Path(tmp)
    started = time.perf_counter()
    rows = generate_annex_a_events(folder / "annex_a_events.xlsx", random.Random(16))
    print(f"generated Annex A with every list: {rows:,} rows in "
          f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    for db_label, url in database_urls(tmp):
        subprocess.run(
            [sys.executable, "-m", "benchmarks.imports", "--events", tmp, db_label, url],
            check=True,
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--generate"]:
        generate(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["--refuse"]:
        refuse(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["--hostile"]:
        with tempfile.TemporaryDirectory() as tmp:
            hostile(Path(tmp))
    elif sys.argv[1:2] == ["--events"]:
        measure_events(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif sys.argv[1:2] == ["--events-only"]:
        with tempfile.TemporaryDirectory() as tmp:
            events_main(tmp)
    else:
        main()
        with tempfile.TemporaryDirectory() as tmp:
            events_main(tmp)
