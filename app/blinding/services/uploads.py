"""Randomisation lists from the sponsor's statistician: CSV or Excel, mapped, every bad row told.

Columns (Oracle Clinical One's layout): randomisation number, block number, treatment (arm),
stratum; their header names are recognised or mapped on the upload form. The arms, ratio and
strata are declared on the form; every row is checked against them and every block must hold
the arms in the declared ratio.
"""

from collections import Counter, defaultdict

from flask_babel import gettext as _

from app.blinding.services.design import stratum_labels_of
from app.blinding.services.generator import Entry
from app.core.errors import DomainError
from app.stock.api import read_table

HEADER_NAMES = {
    "number": {"randomisation number", "randomization number", "rand no", "number",
               "número de aleatorización", "numero"},
    "block": {"block", "block number", "bloque"},
    "arm": {"arm", "treatment", "treatment arm", "brazo", "tratamiento"},
    "stratum": {"stratum", "strata", "estrato"},
}


class ListRefused(DomainError):
    """An upload with bad rows: nothing was stored; lines holds [(line, message)]."""

    def __init__(self, lines):
        super().__init__(_("The file has errors; nothing was stored."), "file")
        self.lines = lines


def _columns(header, mapping):
    names = [cell.strip().lower() for cell in header]
    found = {}
    for key, known in HEADER_NAMES.items():
        wanted = (mapping.get(key) or "").strip().lower()
        for index, name in enumerate(names):
            if (wanted and name == wanted) or (not wanted and name in known):
                found[key] = index
                break
    return found


def check_rows(rows, parameters, mapping=None):
    """Return the entries of an uploaded list, or raise ListRefused listing every bad row."""
    if not rows:
        raise ListRefused([(1, _("The file is empty."))])
    header_line, header = rows[0]
    columns = _columns(header, mapping or {})
    missing = [k for k in ("number", "block", "arm") if k not in columns]
    if missing:
        raise ListRefused([(header_line, _("The first line must name the columns: "
                                           "randomisation number, block, treatment and "
                                           "(when stratified) stratum."))])
    arms = {name: ratio for name, ratio in parameters["arms"]}
    strata = set(stratum_labels_of(parameters))

    def cell(cells, key):
        index = columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    entries, errors, seen = [], [], {}
    sequence = Counter()
    blocks = defaultdict(Counter)
    for n, cells in rows[1:]:
        if not any(cells):
            continue
        number, block, arm, stratum = (cell(cells, k) for k in ("number", "block", "arm",
                                                                   "stratum"))
        problem = None
        if not number or len(number) > 20:
            problem = _("The randomisation number is missing or longer than 20 characters.")
        elif number in seen:
            problem = _("Randomisation number %(number)s appears twice (first on line "
                        "%(line)s).", number=number, line=seen[number])
        elif not block.isdigit():
            problem = _("The block must be a whole number.")
        elif arm not in arms:
            problem = _("Treatment %(arm)s is not one of the list's arms.", arm=arm or "—")
        elif stratum not in strata:
            problem = _("Stratum %(stratum)s is not declared for this list.",
                        stratum=stratum or "—")
        seen.setdefault(number, n)
        if problem:
            errors.append((n, problem))
            continue
        sequence[stratum] += 1
        blocks[(stratum, int(block))][arm] += 1
        entries.append(Entry(number, sequence[stratum], int(block), stratum, arm))
    if not entries and not errors:
        errors.append((header_line, _("The file has no rows.")))
    unit = sum(arms.values())
    for (stratum, block), counts in sorted(blocks.items()):
        size = sum(counts.values())
        if size % unit or any(counts[a] * unit != size * r for a, r in arms.items()):
            errors.append((header_line, _("Block %(block)s%(stratum)s does not respect the "
                                          "ratio %(ratio)s.", block=block,
                                          stratum=f" ({stratum})" if stratum else "",
                                          ratio=":".join(str(r) for r in arms.values()))))
    if errors:
        raise ListRefused(errors)
    return entries


def read_list_file(data, filename, parameters, mapping=None):
    """Read and check an uploaded list file (CSV or Excel)."""
    if len(data) > 10 * 1024 * 1024:
        raise DomainError(_("The file is larger than 10 MB."), "file")
    return check_rows(read_table(data, filename), parameters, mapping)
