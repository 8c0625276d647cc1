"""Readers for the case extracts councils already have (docs/formats.md).

``read_files`` recognises each file, reads it with its format's reader and combines them into
one ``Snapshot`` of open cases at the as-of date. Readers never touch the database; applying a
snapshot is ``qa_app.services.imports.apply``.
"""

from collections.abc import Callable
from datetime import date

from qa_app.importers.annex_a import read_annex_a
from qa_app.importers.cin_census import read_cin_census
from qa_app.importers.detect import FORMATS, Detected, detect, expect
from qa_app.importers.own_csv import read_own_csv
from qa_app.importers.snapshot import Snapshot, StructuralError
from qa_app.importers.sources import Limits, SourceFile
from qa_app.importers.ssda903 import read_ssda903

__all__ = [
    "FORMATS",
    "Limits",
    "Snapshot",
    "SourceFile",
    "StructuralError",
    "read_files",
]

# Several files of one import are read in this order; the snapshot combines them with cohort
# precedence, so a child in both the CIN census and SSDA903 gets the CLA case.
ORDER = ("annex-a", "ssda903", "cin-census", "csv")
SINGLE = {"annex-a": "Annex A workbook", "cin-census": "CIN census file"}


def read_files(
    files: list[SourceFile],
    as_of: date,
    *,
    fmt: str | None = None,
    limits: Limits | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Snapshot:
    """Read every file into one snapshot; raises StructuralError for anything structural."""
    limits = limits or Limits()
    report = progress or (lambda _fraction, _message: None)
    if not files:
        raise StructuralError("Choose at least one file to import")
    if fmt is not None and fmt not in FORMATS:
        raise StructuralError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    seen: dict[str, str] = {}
    groups: dict[str, list[tuple[SourceFile, Detected]]] = {}
    for source in files:
        if source.sha256 in seen:
            raise StructuralError(f"{source.name}: the same file as {seen[source.sha256]}")
        seen[source.sha256] = source.name
        detected = detect(source, limits)
        groups.setdefault(expect(source, detected, fmt), []).append((source, detected))
    for name, label in SINGLE.items():
        if len(groups.get(name, [])) > 1:
            names = ", ".join(s.name for s, _ in groups[name])
            raise StructuralError(f"Only one {label} can be imported at a time ({names})")

    combined: Snapshot | None = None
    steps = [f for f in ORDER if f in groups]
    for step, name in enumerate(steps):

        def part(fraction: float, message: str, step=step) -> None:
            report((step + min(fraction, 1.0)) / len(steps), message)

        part(0.0, f"Reading {', '.join(s.name for s, _ in groups[name])}")
        for snapshot in _read_group(name, groups[name], as_of, limits, part):
            if combined is None:
                combined = snapshot
            else:
                combined.merge(snapshot)
    combined.finish()
    report(1.0, "Files read")
    return combined


def _read_group(name, sources, as_of, limits, progress) -> list[Snapshot]:
    if name == "annex-a":
        return [read_annex_a(sources[0][0], as_of, limits, progress)]
    if name == "cin-census":
        return [read_cin_census(sources[0][0], as_of, limits, progress)]
    if name == "ssda903":
        return [read_ssda903(sources, as_of, limits, progress)]
    return [read_own_csv(source, as_of, limits, detected) for source, detected in sources]
