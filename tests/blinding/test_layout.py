"""The blinding package owns the arms: stock neither imports nor names one."""

import re

from tests.dbsetup import ROOT

ARM = re.compile(r"\barms?\b|kitarm|kit_arms|blinding\.|app\.blinding", re.IGNORECASE)


def _files():
    for folder, pattern in ((ROOT / "app" / "stock", "*.py"), (ROOT / "templates" / "stock",
                                                                "*.html")):
        for path in folder.rglob(pattern):
            if "translations" not in path.parts:
                yield path


def test_stock_has_no_reference_to_arms():
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for path in _files()
             for n, line in enumerate(path.read_text().splitlines(), 1) if ARM.search(line)]
    assert found == []
    assert len(list(_files())) > 30


def test_the_kit_arm_table_keeps_its_name_in_the_blinding_package():
    from app.blinding.models import KitArm

    assert KitArm.__tablename__ == "kit_arms"
    assert KitArm.__module__ == "app.blinding.models.randomisation"
