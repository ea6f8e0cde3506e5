"""The house's rules, read from the source: apps depend in one direction only
(reports -> mailings -> donations -> crm -> core), one module meets each outside library,
and no module grows past ~400 lines."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["core", "crm", "donations", "mailings", "reports"]  # each may import only those before it
SEAMS = {"stripe": "donations/stripe/client.py", "weasyprint": "core/pdf.py"}
MAX_LINES = 400


def _modules() -> list[Path]:
    return [
        path
        for app in ORDER
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_arrow_points_back_up(path):
    app = path.relative_to(ROOT).parts[0]
    above = set(ORDER[ORDER.index(app) + 1 :])
    wrong = sorted(name for name in _imported(path) if name.split(".")[0] in above)
    assert not wrong, f"{app} may not import {wrong}"


def test_each_outside_library_has_one_seam():
    for library, seam in SEAMS.items():
        importers = sorted(
            str(path.relative_to(ROOT))
            for path in _modules()
            if any(name.split(".")[0] == library for name in _imported(path))
        )
        assert importers == [seam], f"{library} is imported by {importers}"


def test_no_module_passes_400_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in _modules()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"split these into a package: {long}"
