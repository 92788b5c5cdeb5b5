"""The certificate behind a destruction line of the stock ledger (stock's disposition hook).

A contractor batch writes its ledger lines with the batch number as their document; the site's
accountability log names the certificate of destruction and links to it (app/stock/services/
dispositions.py calls ``describe``).
"""

from flask import has_request_context, url_for
from flask_login import current_user
from sqlalchemy import select

from app.destruction.models import DestructionBatch
from app.destruction.queries import can_see_batch
from app.stock.api import DispositionReference


def describe(session, refs):
    """Return {batch number: DispositionReference(certificate number, link)} of executed batches.

    The link is given to a reader who may open the batch (a contractor batch lists every
    site's kits: site staff read its certificate number, the sponsor's people follow it).
    """
    found = {}
    for batch in session.scalars(select(DestructionBatch).where(
            DestructionBatch.number.in_(refs), DestructionBatch.status == "executed")):
        found[batch.number] = DispositionReference(batch.certificate_number or batch.number,
                                                   _link(batch))
    return found


def _link(batch):
    if not has_request_context() or not current_user.is_authenticated \
            or not current_user.can("destruction.view") or not can_see_batch(current_user, batch):
        return None
    return url_for("destruction.show_batch", batch_id=batch.id, _anchor="certificate")
