"""The certificate of destruction as a background job (app.jobs builds it, app.files keeps it)."""

from flask_babel import gettext as _

from app.core.errors import DomainError
from app.destruction.models import DestructionBatch
from app.destruction.queries import can_see_batch
from app.destruction.services.certificate import issue_certificate


def certificate_params(batch):
    """Return a certificate job's parameters."""
    return {"batch_id": batch.id}


def _batch(session, user, params):
    batch = session.get(DestructionBatch, params["batch_id"])
    if batch is None or not can_see_batch(user, batch):
        raise DomainError(_("You may not see this destruction batch."))
    return batch


def count_certificate(session, user, params):
    """Return the number of items the certificate lists (the job's rows)."""
    return _batch(session, user, params).item_count


def build_certificate_file(session, user, params, path, progress):
    """Write the certificate (issued once, then the same file) to path."""
    from pathlib import Path

    issue_certificate(session, _batch(session, user, params), Path(path), progress, by=user)


def batch_sheets(session, batch):
    """Return the batch's kits and devices as two sheets (what the certificate lists)."""
    from app.destruction.services.batch_devices import device_rows
    from app.destruction.services.certificate import item_rows
    from app.exports.excel import Sheet

    return [Sheet(_("Kits"), [_("Kit"), _("Lot"), _("Site"), _("Subject"), _("Units")],
                  item_rows(session, batch)),
            Sheet(_("Devices"), [_("Model"), _("Serial"), _("UDI-DI")],
                  device_rows(session, batch))]
