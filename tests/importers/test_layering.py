"""Importers read files and nothing else: no module under qa_app/importers imports the domain
layer (docs/architecture.md: the arrow runs from services to importers, never back)."""

import ast
from pathlib import Path

IMPORTERS = Path(__file__).resolve().parents[2] / "qa_app" / "importers"


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_importers_never_import_services():
    upward = {
        str(path.relative_to(IMPORTERS)): sorted(
            m for m in imported_modules(path) if m.startswith("qa_app.services")
        )
        for path in IMPORTERS.rglob("*.py")
    }
    assert {k: v for k, v in upward.items() if v} == {}


def test_formula_starts_has_one_home():
    from qa_app.importers import common  # noqa: PLC0415
    from qa_app.services.platform import csv_files  # noqa: PLC0415
    from qa_app.textnorm import FORMULA_STARTS  # noqa: PLC0415

    assert common.FORMULA_STARTS is FORMULA_STARTS is csv_files.FORMULA_STARTS
