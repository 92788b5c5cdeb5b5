"""Kit lists uploaded as CSV or Excel: read, preview, check every row, import all or nothing."""

import re
import secrets
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.stock.models import ARMS_MAX, Kit, Lot
from app.stock.services.kit_list_reader import COLUMN_LABELS, map_columns, read_table
from app.stock.services.kits import MAX_KITS_PER_BATCH, lot_receivable_problem, receive_new_kits

MAX_FILE_BYTES = 5 * 1024 * 1024
KIT_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")
PREVIEW_ROWS = 10


class KitListRefused(DomainError):
    """A kit list with bad rows: nothing was imported; lines holds [(line, message)]."""

    def __init__(self, lines):
        super().__init__(_("The file has errors; nothing was imported."), "file")
        self.lines = lines


def check_kit_list(session, trial, table, *, may_see_arms, today=None):
    """Return (good rows [(number, lot, arm)], errors [(line, message)]) for an upload."""
    today = today or date.today()
    header_line, columns, body = table.header_line, table.columns, table.body
    if not body:
        return [], [(header_line, _("The file has no kit rows."))]

    def cell(cells, key):
        index = columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    if not may_see_arms and any(cell(cells, "arm") for _n, cells in body):
        # Said once, for the whole file, and never which rows: that would reveal the arms.
        return [], [(header_line, _("This file contains treatment arms. Only an unblinded "
                                    "user may upload a kit list with arms; nothing was "
                                    "imported."))]
    numbers = [cell(cells, "kit") for _n, cells in body]
    existing = set(session.scalars(select(Kit.kit_number).where(
        Kit.trial_id == trial.id, Kit.kit_number.in_([n for n in numbers if n]))))
    lot_names = {cell(cells, "lot").lower() for _n, cells in body}
    lots = {lot.number.lower(): lot for lot in session.scalars(
        select(Lot).where(func.lower(Lot.number).in_(lot_names)))}
    seen, unpadded, good, errors = {}, {}, [], []
    for n, cells in body:
        number, lot_name, arm = cell(cells, "kit"), cell(cells, "lot"), cell(cells, "arm")
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
        elif len(arm) > ARMS_MAX:
            problem = _("The treatment arm is too long (at most %(n)s characters).", n=ARMS_MAX)
        else:
            problem = lot_receivable_problem(lot, trial, today)
        seen.setdefault(number, n)
        if number.isdigit():
            unpadded.setdefault(number.lstrip("0"), (number, n))
        if problem:
            errors.append((n, problem))
        else:
            good.append((number, lot, arm or None))
    if len(body) > MAX_KITS_PER_BATCH:
        errors.append((header_line, _("At most %(n)s kits can be uploaded at once.",
                                      n=MAX_KITS_PER_BATCH)))
    return good, errors


def preview_kit_list(session, trial, data, filename, *, user, sheet=None):
    """Return what an import would do, importing nothing: mapping, first rows, count, problems.

    A blinded user's preview never shows the arm column's values.
    """
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(_("The file is larger than 5 MB."), "file")
    if not data.strip():
        raise DomainError(_("The file is empty."), "file")
    table = read_table(data, filename, sheet)
    good, errors = check_kit_list(session, trial, table, may_see_arms=user.can("kits.arms"))
    shown = {key: index for key, index in table.columns.items()
             if key != "arm" or user.can("kits.arms")}
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
    good, errors = preview["good"], preview["errors"]
    if errors:
        raise KitListRefused(errors)
    # The file is not kept (it may hold arms). Nothing derived from it reaches the ledger or
    # the trail blinded roles read: the reference is random (a hash of the file, its name or
    # its row order would let anyone who guesses the arms check the guess), and the kits are
    # stored in a random order so their ids and ledger lines do not follow the file.
    document_ref = document_ref or new_kit_list_ref()
    shuffled = list(good)
    secrets.SystemRandom().shuffle(shuffled)
    kits = {kit.kit_number: kit for kit in receive_new_kits(
        session, trial, location, shuffled, by=user, document_ref=document_ref)}
    return [kits[number] for number, _lot, _arm in good]


def new_kit_list_ref():
    """Return a random reference for an uploaded kit list (it says nothing about the file)."""
    return f"KL-{secrets.token_hex(6)}"
