"""Create kits: random numbers in bulk or from an uploaded kit list; receive them at a depot."""

import csv
import hashlib
import io
import re
import secrets
from collections import defaultdict
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.models import utcnow
from app.stock.ledger import Actor, StockError, _actor, apply_balance_deltas
from app.stock.ledger_models import StockEntry
from app.stock.models import ARMS_MAX, Kit, KitArm, Lot
from app.stock.states import deltas

MAX_KITS_PER_BATCH = 20_000
KIT_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")
HEADER_NAMES = {
    "kit": {"kit", "kit number", "kit_number", "número de kit", "numero de kit", "kit no"},
    "lot": {"lot", "blinded lot", "blinded_lot", "lote", "lote ciego"},
    "arm": {"arm", "treatment arm", "treatment_arm", "brazo", "brazo de tratamiento"},
}
UNUSABLE_LOT_STATUSES = {"rejected", "recalled", "expired"}


def _check_lot_receivable(lot, trial, today):
    if lot.trial_id not in (None, trial.id):
        return _("Lot %(lot)s belongs to another trial.", lot=lot.number)
    if lot.status in UNUSABLE_LOT_STATUSES:
        return _("Lot %(lot)s is %(status)s and cannot be received.", lot=lot.number,
                 status=lot.status)
    if lot.expires_on < today:
        return _("Lot %(lot)s expired on %(date)s; expired stock cannot be received.",
                 lot=lot.number, date=lot.expires_on.isoformat())
    return None


def random_kit_numbers(session, trial, count, digits=7):
    """Return count new random kit numbers, unused in the trial and in no visible order."""
    taken = set(session.scalars(select(Kit.kit_number).where(Kit.trial_id == trial.id)))
    numbers = []
    low, high = 10 ** (digits - 1), 10 ** digits
    while len(numbers) < count:
        candidate = str(low + secrets.randbelow(high - low))
        if candidate not in taken:
            taken.add(candidate)
            numbers.append(candidate)
    return numbers


def generate_kits(session, trial, lot, location, count, *, by=None, document_ref=None,
                  today=None):
    """Create count kits of a lot with random numbers and receive them at a depot location."""
    if count is None or count <= 0:
        raise StockError(_("The number of kits must be more than zero."), "count")
    if count > MAX_KITS_PER_BATCH:
        raise StockError(_("At most %(n)s kits can be generated at once.",
                           n=MAX_KITS_PER_BATCH), "count")
    problem = _check_lot_receivable(lot, trial, today or date.today())
    if problem:
        raise StockError(problem, "lot_id")
    rows = [(number, lot, None) for number in random_kit_numbers(session, trial, count)]
    return receive_new_kits(session, trial, location, rows, by=by, document_ref=document_ref)


def receive_new_kits(session, trial, location, rows, *, by=None, document_ref=None):
    """Insert kits [(number, lot, arm)] at a depot with a receipt ledger line each."""
    if location.kind not in ("depot", "zone"):
        raise StockError(_("New kits are received at a depot."), "location_id")
    actor = by if isinstance(by, Actor) else _actor(by)
    now = utcnow()
    kits = [Kit(trial_id=trial.id, kit_number=number, lot_id=lot.id, product_id=lot.product_id,
                location_id=location.id, state="available", expires_on=lot.expires_on)
            for number, lot, _arm in rows]
    session.add_all(kits)
    session.flush()
    d = deltas(None, "available")
    changes = defaultdict(lambda: [0, 0, 0])
    for kit, (_number, _lot, arm) in zip(kits, rows, strict=True):
        session.add(StockEntry(
            event="receipt", kit_id=kit.id, trial_id=trial.id, location_id=location.id,
            lot_id=kit.lot_id,
            product_id=kit.product_id, state_before=None, state_after="available",
            on_hand_delta=d[0], quarantined_delta=d[1], available_delta=d[2],
            occurred_at=now, recorded_at=now, user_id=actor.id, user_name=actor.name,
            document_ref=document_ref or None))
        if arm:
            session.add(KitArm(kit_id=kit.id, arm=arm, recorded_at=now))
        key = changes[(location.id, trial.id, kit.lot_id, kit.product_id)]
        for i in range(3):
            key[i] += d[i]
    session.flush()
    apply_balance_deltas(session, changes)
    return kits


def read_kit_list(data, filename):
    """Return the rows of an uploaded kit list as [(line number, [cells])]; CSV or Excel."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as error:  # openpyxl raises many kinds on a broken file
            raise StockError(_("This Excel file cannot be read."), "file") from error
        return [(n, ["" if c is None else str(c).strip() for c in row])
                for n, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise StockError(_("The CSV file must be UTF-8 text."), "file") from error
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


def check_kit_list(session, trial, rows, *, may_see_arms, today=None):
    """Return (good rows [(number, lot, arm)], errors [(line, message)]) for an upload."""
    today = today or date.today()
    if not rows:
        return [], [(1, _("The file is empty."))]
    header_line, header = rows[0]
    columns = _columns(header)
    if "kit" not in columns or "lot" not in columns:
        return [], [(header_line, _("The first line must name the columns: kit number, "
                                    "blinded lot and (optionally) treatment arm."))]
    body = [(n, cells) for n, cells in rows[1:] if any(cells)]
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
    seen, good, errors = {}, [], []
    for n, cells in body:
        number, lot_name, arm = cell(cells, "kit"), cell(cells, "lot"), cell(cells, "arm")
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
        elif len(arm) > ARMS_MAX:
            problem = _("The treatment arm is too long (at most %(n)s characters).", n=ARMS_MAX)
        else:
            problem = _check_lot_receivable(lot, trial, today)
        seen.setdefault(number, n)
        if problem:
            errors.append((n, problem))
        else:
            good.append((number, lot, arm or None))
    if len(body) > MAX_KITS_PER_BATCH:
        errors.append((header_line, _("At most %(n)s kits can be uploaded at once.",
                                      n=MAX_KITS_PER_BATCH)))
    return good, errors


def import_kit_list(session, trial, location, data, filename, *, user, document_ref=None):
    """Check a whole kit list and import it only when every row is good; return (kits, errors)."""
    rows = read_kit_list(data, filename)
    good, errors = check_kit_list(session, trial, rows, may_see_arms=user.can("kits.arms"))
    if errors:
        return [], errors
    # The file itself is not kept (it may hold arms); its name and hash identify it instead.
    digest = hashlib.sha256(data).hexdigest()[:12]
    document_ref = document_ref or f"{filename[:60]} sha256:{digest}"
    kits = receive_new_kits(session, trial, location, good, by=user, document_ref=document_ref)
    return kits, []
