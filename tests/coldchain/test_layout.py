"""The cold-chain package is infrastructure: it imports no domain and names none."""

import ast
from pathlib import Path

import app.coldchain

PACKAGE = Path(app.coldchain.__file__).parent
# What it may build on: the one error class and the PDF fonts of the export layer.
ALLOWED = {"app.core.errors", "app.exports.pdf_fonts"}


def imported_names(source):
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module or ""
        elif isinstance(node, ast.ImportFrom):
            yield "app.coldchain"  # a relative import stays inside the package
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_coldchain_imports_no_domain_code():
    sources = sorted(PACKAGE.glob("*.py"))
    assert {s.name for s in sources} >= {"logger.py", "excursions.py", "chart.py",
                                         "pdf_chart.py"}
    for source in sources:
        for name in imported_names(source):
            if name == "app" or name.startswith("app."):
                assert name.startswith("app.coldchain") or name in ALLOWED, \
                    f"{source.name}: {name}"


def test_coldchain_knows_nothing_of_shipments():
    for source in PACKAGE.glob("*.py"):
        assert "shipment" not in source.read_text().lower(), source.name
