"""Kit lists uploaded as CSV or Excel: read, check every row, import all or nothing."""

import csv
import io
import re
import secrets
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.stock.models import Kit, Lot
from app.stock.services.kits import MAX_KITS_PER_BATCH, lot_receivable_problem, receive_new_kits

MAX_FILE_BYTES = 5 * 1024 * 1024
KIT_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")
HEADER_NAMES = {
    "kit": {"kit", "kit number", "kit_number", "número de kit", "numero de kit", "kit no"},
    "lot": {"lot", "blinded lot", "blinded_lot", "lote", "lote ciego"},
}


class KitListRefused(DomainError):
    """A kit list with bad rows: nothing was imported; lines holds [(line, message)]."""

    def __init__(self, lines):
        super().__init__(_("The file has errors; nothing was imported."), "file")
        self.lines = lines


def read_kit_list(data, filename):
    """Return the rows of an uploaded kit list as [(line number, [cells])]; CSV or Excel."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as error:  # openpyxl raises many kinds on a broken file
            raise DomainError(_("This Excel file cannot be read."), "file") from error
        return [(n, ["" if c is None else str(c).strip() for c in row])
                for n, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(_("The CSV file must be UTF-8 text."), "file") from error
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") \
        else ","
    return [(n, [c.strip() for c in row])
            for n, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)]


def _columns(header):
    found = {}
    for index, cell in enumerate(header):
        name = cell.strip().lower()
        for key, names in HEADER_NAMES.items():
            if name in names:
                found[key] = index
    return found


def check_kit_list(session, trial, rows, *, today=None):
    """Return (good rows [(number, lot)], errors [(line, message)]) for an upload."""
    today = today or date.today()
    if not rows:
        return [], [(1, _("The file is empty."))]
    header_line, header = rows[0]
    columns = _columns(header)
    if "kit" not in columns or "lot" not in columns:
        return [], [(header_line, _("The first line must name the columns: kit number and "
                                    "blinded lot."))]
    body = [(n, cells) for n, cells in rows[1:] if any(cells)]
    if not body:
        return [], [(header_line, _("The file has no kit rows."))]

    def cell(cells, key):
        index = columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    unread = [name for index, name in enumerate(header) if name.strip()
              and index not in columns.values()]
    if unread:
        # Said once, for the whole file: a column this upload does not read is never dropped
        # silently, and nothing about its rows is said.
        return [], [(header_line, _("Column %(name)s is not read by this upload; nothing was "
                                    "imported.", name=unread[0]))]
    numbers = [cell(cells, "kit") for _n, cells in body]
    existing = set(session.scalars(select(Kit.kit_number).where(
        Kit.trial_id == trial.id, Kit.kit_number.in_([n for n in numbers if n]))))
    lot_names = {cell(cells, "lot").lower() for _n, cells in body}
    lots = {lot.number.lower(): lot for lot in session.scalars(
        select(Lot).where(func.lower(Lot.number).in_(lot_names)))}
    seen, good, errors = {}, [], []
    for n, cells in body:
        number, lot_name = cell(cells, "kit"), cell(cells, "lot")
        problem = None
        lot = lots.get(lot_name.lower())
        if not number:
            problem = _("The kit number is missing.")
        elif not KIT_NUMBER_RE.match(number):
            problem = _("Kit number %(kit)s may only hold letters, digits and hyphens (at most "
                        "40).", kit=number)
        elif number in seen:
            problem = _("Kit number %(kit)s appears twice in the file (first on line %(line)s).",
                        kit=number, line=seen[number])
        elif number in existing:
            problem = _("Kit number %(kit)s already exists in this trial.", kit=number)
        elif not lot_name:
            problem = _("The lot is missing.")
        elif lot is None:
            problem = _("Lot %(lot)s is unknown.", lot=lot_name)
        else:
            problem = lot_receivable_problem(lot, trial, today)
        seen.setdefault(number, n)
        if problem:
            errors.append((n, problem))
        else:
            good.append((number, lot))
    if len(body) > MAX_KITS_PER_BATCH:
        errors.append((header_line, _("At most %(n)s kits can be uploaded at once.",
                                      n=MAX_KITS_PER_BATCH)))
    return good, errors


def import_kit_list(session, trial, location, data, filename, *, user, document_ref=None):
    """Check a whole kit list and import it only when every row is good; return the kits.

    A file with any bad row raises KitListRefused listing every bad line.
    """
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(_("The file is larger than 5 MB."), "file")
    return import_kit_rows(session, trial, location, read_kit_list(data, filename), user=user,
                           document_ref=document_ref)


def import_kit_rows(session, trial, location, rows, *, user, document_ref=None,
                    extra_errors=()):
    """Import read rows [(line, cells)] when every row is good (and no extra error).

    Return the kits in file order; raise KitListRefused listing every bad line.
    """
    good, errors = check_kit_list(session, trial, rows)
    if extra_errors:
        errors = sorted([*errors, *extra_errors])
    if errors:
        raise KitListRefused(errors)
    # The file is not kept. Nothing derived from it reaches the ledger or the trail: the
    # reference is random (a hash of the file, its name or its row order would let anyone
    # who knows another column of the file check a guess), and the kits are stored in a
    # random order so their ids and ledger lines do not follow the file.
    document_ref = document_ref or new_kit_list_ref()
    shuffled = list(good)
    secrets.SystemRandom().shuffle(shuffled)
    kits = {kit.kit_number: kit for kit in receive_new_kits(
        session, trial, location, shuffled, by=user, document_ref=document_ref)}
    return [kits[number] for number, _lot in good]


def new_kit_list_ref():
    """Return a random reference for an uploaded kit list (it says nothing about the file)."""
    return f"KL-{secrets.token_hex(6)}"
