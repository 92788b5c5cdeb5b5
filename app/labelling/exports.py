"""Headers and rows of a label run's printed labels (app/exports renders them)."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.labelling.models import LabelPrint, LabelRun
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


# -- the list of a large run's labels as a background job (app.jobs) -------------------------

def run_list_sheet(session, run):
    """Return the sheet of the labels printed in the run."""
    from app.exports.excel import Sheet

    return Sheet(run.audit_label(), run_headers(), run_rows(session, run))


def count_run_list(session, user, params):
    """Return how many labels the run's list has (the job kind's count)."""
    return session.scalar(select(func.count()).select_from(LabelPrint)
                          .where(LabelPrint.run_id == params["run_id"]))


def build_run_list(session, user, params, path, progress):
    """Write the run's label list to path (the job kind's build)."""
    from app.core.errors import DomainError
    from app.exports.excel import write_xlsx_file

    run = session.get(LabelRun, params["run_id"])
    if run is None:
        raise DomainError(_("This label run does not exist."))
    write_xlsx_file(path, [run_list_sheet(session, run)], progress)
