"""One shape for every domain: the same file names, public entry points, thin views.

A newcomer who knows one domain finds the screen, the rule, the export and the test of any
other at the same relative path; these tests keep it so.
"""

import ast
import re
from pathlib import Path

import pytest

from app import DOMAINS
from tests.dbsetup import ROOT

APP = ROOT / "app"

# Each business domain has these, as a .py file or a folder of that name.
SHAPE = ("registration", "models", "forms", "services", "views", "queries", "exports", "demo",
         "translations")
# Infrastructure-only domains: they register permissions, menus or labels but hold no records
# of their own to seed, list or export, so only registration.py (and translations) is required.
# alerts runs what the other domains declare; its one table is the record of what was told;
# jobs runs other domains' exports: it has no form, export or demo data of its own.
INFRASTRUCTURE = {"core", "audit", "notify", "esign", "auth", "admin", "alerts", "ops", "jobs"}
# Domains other domains may use only through their api.py.
PUBLIC_ENTRY = {"stock": "app.stock.api", "trials": "app.trials.api",
                "reimbursement": "app.reimbursement.api",
                "devices": "app.devices.api"}

def packages():
    """Return the app's packages by name, plus "app" for its top-level modules."""
    names = sorted(p.name for p in APP.iterdir() if (p / "__init__.py").exists())
    return ["app", *names]


def modules_of(package):
    """Return the .py files of a package ("app": the top-level modules)."""
    if package == "app":
        return sorted(APP.glob("*.py"))
    return sorted(p for p in (APP / package).rglob("*.py") if "translations" not in p.parts)


def is_view_module(path):
    """Return True for views.py, a module in a views/ folder, or a *_views / views_* file."""
    return (path.stem == "views" or "views" in path.parent.relative_to(APP).parts
            or path.stem.endswith("_views") or path.stem.startswith("views_"))


def calls(path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            yield node


def where(path, node):
    return f"{path.relative_to(ROOT)}:{node.lineno}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_domain_has_the_same_named_files(domain):
    folder = APP / domain
    required = ("registration",) if domain in INFRASTRUCTURE else SHAPE
    missing = [name for name in required
               if not (folder / f"{name}.py").is_file() and not (folder / name).is_dir()]
    assert missing == [], f"app/{domain} lacks {missing}"


def imported_names(path):
    """Yield (line, dotted name) for every module a file imports, relative imports resolved."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    if path.name == "__init__.py":
        package = ".".join(path.relative_to(ROOT).parent.parts)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"  # a module or a name in one


@pytest.mark.parametrize("package", packages())
def test_other_domains_use_stock_and_trials_only_through_their_api(package):
    offenders = []
    for path in modules_of(package):
        for line, name in imported_names(path):
            for owner, api in PUBLIC_ENTRY.items():
                inside = f"app.{owner}."
                if package != owner and name.startswith(inside) and not (
                        name == api or name.startswith(api + ".")):
                    offenders.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert offenders == []


def is_session_call(node, methods):
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr in methods
            and ast.unparse(func.value).split(".")[-1] == "session")


@pytest.mark.parametrize("package", packages())
def test_views_never_commit_or_roll_back_themselves(package):
    """Only app/core/actions.py (perform) commits or rolls back for a view."""
    offenders = [where(path, node) for path in modules_of(package) if is_view_module(path)
                 for node in calls(path) if is_session_call(node, {"commit", "rollback"})]
    assert offenders == []


def is_forbidden_abort(node):
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name != "abort" or not node.args:
        return False
    code = node.args[0]
    return (isinstance(code, ast.Constant) and code.value == 403) or (
        isinstance(code, ast.Attribute) and code.attr == "FORBIDDEN")


@pytest.mark.parametrize("package", packages())
def test_views_leave_permissions_to_the_route_decorator(package):
    """No hand-made 403 in a view: @require(...) refuses; 404 hides what is out of scope."""
    offenders = [where(path, node) for path in modules_of(package) if is_view_module(path)
                 for node in calls(path) if is_forbidden_abort(node)]
    assert offenders == []


def is_forbidden_name(path):
    return re.fullmatch(r"views_\w+|\w+_views", path.stem) is not None


@pytest.mark.parametrize("package", packages())
def test_view_code_lives_in_views_not_in_views_x_or_x_views_files(package):
    offenders = [str(path.relative_to(ROOT)) for path in modules_of(package)
                 if is_forbidden_name(path)]
    assert offenders == []


def test_the_checks_see_what_they_look_for(tmp_path):
    """The scanners find a commit, a 403 and an internal import when they are there."""
    sample = tmp_path / "sample.py"
    sample.write_text("from flask import abort\nfrom app.extensions import db\n"
                      "from app.stock.ledger import move_kits\n\n\ndef view():\n"
                      "    abort(403)\n    db.session.commit()\n    session.rollback()\n")
    found = list(calls(sample))
    assert sum(is_session_call(n, {"commit", "rollback"}) for n in found) == 2
    assert sum(is_forbidden_abort(n) for n in found) == 1
    assert is_view_module(APP / "stock" / "views" / "kits.py")
    assert is_view_module(APP / "trials" / "site_views.py")
    assert not is_view_module(APP / "core" / "actions.py")
    assert is_forbidden_name(Path("views_kits.py")) and is_forbidden_name(Path("staff_views.py"))
    assert not is_forbidden_name(Path("views.py")) and not is_forbidden_name(Path("reviews.py"))
    names = {name for _line, name in imported_names(APP / "stock" / "api.py")}
    assert "app.stock.models.Kit" in names
