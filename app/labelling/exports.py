"""Headers and rows of a label run's printed labels (app/exports renders them)."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.labelling.models import LabelPrint
from app.stock.api import Kit


def run_headers():
    """Return the column headers of a run's label list."""
    return [_("Kit"), _("Template"), _("Version"), _("Printed (UTC)")]


def run_rows(session, run):
    """Yield one row per label printed in the run."""
    stmt = (select(Kit.kit_number, LabelPrint.template_version, LabelPrint.printed_at)
            .join(Kit, Kit.id == LabelPrint.kit_id).where(LabelPrint.run_id == run.id)
            .order_by(Kit.kit_number))
    name = run.template.name
    for number, version, printed_at in session.execute(stmt):
        yield [number, name, version, printed_at.replace(tzinfo=None)]
