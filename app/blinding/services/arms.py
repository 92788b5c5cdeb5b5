"""Kit arms: the kit list with a treatment column, imported by the unblinded role only.

Stock imports the kits (kit number, blinded lot) and never sees the arm column; this module
takes the arm column off the file, hands the rest to stock, and records each kit's arm.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from app.blinding.models import ARMS_MAX, KitArm
from app.core.errors import DomainError
from app.core.models import utcnow
from app.stock.api import KitListRefused, import_kit_rows, read_table

ARM_HEADERS = {"arm", "treatment arm", "treatment_arm", "treatment", "kit description",
               "brazo", "brazo de tratamiento", "tratamiento"}


def split_arm_column(rows):
    """Return (rows without the arm column, {line: arm}); refuse a file without arms."""
    if not rows:
        raise KitListRefused([(1, _("The file is empty."))])
    header_line, header = rows[0]
    index = next((i for i, cell in enumerate(header)
                  if cell.strip().lower() in ARM_HEADERS), None)
    if index is None:
        raise KitListRefused([(header_line, _("The first line must name the columns: kit "
                                              "number, blinded lot and treatment arm."))])
    arms, bare, errors = {}, [], []
    for n, cells in rows:
        arm = cells[index].strip() if index < len(cells) else ""
        bare.append((n, cells[:index] + cells[index + 1:]))
        if n == header_line or not any(cells):
            continue
        if not arm:
            errors.append((n, _("The treatment arm is missing.")))
        elif len(arm) > ARMS_MAX:
            errors.append((n, _("The treatment arm is too long (at most %(n)s characters).",
                                n=ARMS_MAX)))
        arms[n] = arm
    return bare, arms, errors


def import_arm_kit_list(session, trial, location, data, filename, *, user):
    """Import kits with their arms (all or nothing); return the kits in file order."""
    if not user.can("blinding.arms"):
        raise DomainError(_("Only an unblinded user may upload a kit list with arms."), "file")
    bare, arms, arm_errors = split_arm_column(read_table(data, filename))
    try:
        kits = import_kit_rows(session, trial, location, bare, user=user,
                               extra_errors=arm_errors)
    except KitListRefused as refused:
        raise KitListRefused(sorted(refused.lines)) from refused
    # Stock imports every non-empty row in file order: the n-th kit is the n-th such line.
    lines = [n for n, cells in bare[1:] if any(cells)]
    now = utcnow()
    session.add_all([KitArm(kit_id=kit.id, arm=arms[line], recorded_at=now)
                     for line, kit in zip(lines, kits, strict=True)])
    session.flush()
    return kits


def arms_of(session, kit_ids):
    """Return {kit id: arm} (unblinded callers only)."""
    return dict(session.execute(select(KitArm.kit_id, KitArm.arm)
                                .where(KitArm.kit_id.in_(kit_ids))).all())
