"""Kit lists uploaded as CSV or Excel: read, preview, check every row, import all or nothing.

Stock reads the kit number and the blinded lot (and shows a sequence), nothing else: the
blinding package reads its own columns and hands stock the rest (``import_kit_rows``). A
column this upload does not read is refused, never dropped silently.
"""

import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import DomainError
from app.stock.models import Kit, Lot
from app.stock.services.kit_list_reader import (
    COLUMN_LABELS,
    map_columns,
    read_rows,
    read_table,
    table_of_rows,
)
from app.stock.services.kits import MAX_KITS_PER_BATCH, lot_receivable_problem, receive_new_kits

MAX_FILE_BYTES = 5 * 1024 * 1024
KIT_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")
PREVIEW_ROWS = 10


class KitListRefused(DomainError):
    """A kit list with bad rows: nothing was imported; lines holds [(line, message)]."""

    def __init__(self, lines):
        super().__init__(_("The file has errors; nothing was imported."), "file")
        self.lines = lines


def check_kit_list(session, trial, table, *, today=None):
    """Return (good rows [(number, lot)], errors [(line, message)]) for an upload."""
    today = today or clock.today()
    if table is None:
        return [], [(1, _("The file is empty."))]
    header_line, columns, body = table.header_line, table.columns, table.body
    if "kit" not in columns or "lot" not in columns:
        return [], [(header_line, _("The first line must name the columns: kit number and "
                                    "blinded lot."))]
    if not body:
        return [], [(header_line, _("The file has no kit rows."))]

    def cell(cells, key):
        index = columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    unread = [name for index, name in enumerate(table.headers) if str(name).strip()
              and index not in columns.values()
              and any(index < len(cells) and cells[index].strip() for _n, cells in body)]
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
    seen, unpadded, good, errors = {}, {}, [], []
    for n, cells in body:
        number, lot_name = cell(cells, "kit"), cell(cells, "lot")
        problem = None
        lot = lots.get(lot_name.lower())
        twin = unpadded.get(number.lstrip("0")) if number.isdigit() else None
        if map_columns(cells).keys() >= {"kit", "lot"}:
            problem = _("This row repeats the header (line %(line)s); a list has one header "
                        "row.", line=header_line)
        elif not number:
            problem = _("The kit number is missing.")
        elif not KIT_NUMBER_RE.match(number):
            problem = _("Kit number %(kit)s may only hold letters, digits and hyphens (at most "
                        "40).", kit=number)
        elif number in seen:
            problem = _("Kit number %(kit)s appears twice in the file (first on line %(line)s).",
                        kit=number, line=seen[number])
        elif twin and twin[0] != number:
            problem = _("Kit number %(kit)s and %(other)s (line %(line)s) differ only by "
                        "leading zeros; check the number format of the column.", kit=number,
                        other=twin[0], line=twin[1])
        elif number in existing:
            problem = _("Kit number %(kit)s already exists in this trial.", kit=number)
        elif not lot_name:
            problem = _("The lot is missing.")
        elif lot is None:
            problem = _("Lot %(lot)s is unknown.", lot=lot_name)
        else:
            problem = lot_receivable_problem(lot, trial, today)
        seen.setdefault(number, n)
        if number.isdigit():
            unpadded.setdefault(number.lstrip("0"), (number, n))
        if problem:
            errors.append((n, problem))
        else:
            good.append((number, lot))
    if len(body) > MAX_KITS_PER_BATCH:
        errors.append((header_line, _("At most %(n)s kits can be uploaded at once.",
                                      n=MAX_KITS_PER_BATCH)))
    return good, errors


def preview_kit_list(session, trial, data, filename, *, user, sheet=None):
    """Return what an import would do, importing nothing: mapping, first rows, count, problems."""
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(_("The file is larger than 5 MB."), "file")
    if not data.strip():
        raise DomainError(_("The file is empty."), "file")
    table = read_table(data, filename, sheet)
    good, errors = check_kit_list(session, trial, table)
    shown = dict(table.columns)
    first = [(n, {key: cells[i] if i < len(cells) else "" for key, i in shown.items()})
             for n, cells in table.body[:PREVIEW_ROWS]]
    return {"table": table, "mapping": [(COLUMN_LABELS[key], table.headers[index])
                                        for key, index in shown.items()],
            "fields": list(shown), "first": first, "count": len(table.body), "good": good,
            "errors": errors}


def import_kit_list(session, trial, location, data, filename, *, user, document_ref=None,
                    sheet=None):
    """Check a whole kit list and import it only when every row is good; return the kits.

    A file with any bad row raises KitListRefused listing every bad line.
    """
    preview = preview_kit_list(session, trial, data, filename, user=user, sheet=sheet)
    return _receive(session, trial, location, preview["good"], preview["errors"], user=user,
                    document_ref=document_ref)


def read_kit_list(data, filename):
    """Return the rows of a CSV or Excel upload [(row number, cells)], cells as displayed
    (leading zeros kept from number formats), for callers that map columns themselves."""
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(_("The file is larger than 5 MB."), "file")
    return read_rows(data, filename)


def import_kit_rows(session, trial, location, rows, *, user, document_ref=None,
                    extra_errors=()):
    """Import read rows [(line, cells)], header first, when every row is good (and no extra
    error); return the kits in file order or raise KitListRefused listing every bad line."""
    good, errors = check_kit_list(session, trial, table_of_rows(rows))
    return _receive(session, trial, location, good, sorted([*errors, *extra_errors]),
                    user=user, document_ref=document_ref)


def _receive(session, trial, location, good, errors, *, user, document_ref):
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
