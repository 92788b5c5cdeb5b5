"""The numbered certificate of destruction, built from the executed batch and the ledger.

Built once, as a background job; the stored PDF and its SHA-256 are kept with the batch and
never rebuilt: asking again hands out the same file.
"""

import hashlib
import json
import math

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Spacer
from sqlalchemy import func, select

from app.audit.services import record_event
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.templating import local_date, number
from app.destruction.models import DestructionItem, Reconciliation, ReconciliationKit
from app.destruction.services.authorisations import describe_scope
from app.destruction.services.batch_devices import counts, device_rows
from app.esign.services import signatures_for
from app.exports.pdf import build_pdf, para, table
from app.exports.pdf_fonts import FONT, FONT_BOLD
from app.exports.pdf_signatures import electronic_signatures_table
from app.files.services import read_bytes, store_path
from app.notify.services import absolute_link, queue_email
from app.stock.api import Lot
from app.trials.api import Site

INLINE_ITEMS = 100  # more items than this go to the annex
ANNEX_ROWS = 60  # rows per annex page
ANNEX_COLUMNS = (0.0, 0.26, 0.48, 0.62, 0.88)  # left edge of each column, share of the width
DEVICE_COLUMNS = (0.0, 0.45, 0.7)  # model, serial, UDI-DI
_LEADING = 10
_SIZE = 7.5


class AnnexPage(Flowable):
    """One annex page of item rows, each row one line of text (fast for thousands of kits).

    A table with a cell per value costs a drawing call per cell; 20,000 kits would take
    minutes. Cells are padded with spaces to their column (DejaVu's widths, cached per
    character), so a row is one text line and pdftotext -layout reads it back as a row.
    """

    widths = {}

    def __init__(self, headers, rows, columns=ANNEX_COLUMNS):
        super().__init__()
        self.headers, self.rows, self.columns = headers, rows, columns

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, _LEADING * (len(self.rows) + 1) + 4

    @classmethod
    def _width(cls, text):
        widths = cls.widths
        total = 0.0
        for char in text:
            if char not in widths:
                widths[char] = stringWidth(char, FONT, _SIZE)
            total += widths[char]
        return total

    def _line(self, cells, stops, space):
        line, x = "", 0.0
        for stop, cell in zip(stops, cells, strict=True):
            pad = max(1 if line else 0, math.ceil((stop - x) / space))
            text = str(cell)
            line += " " * pad + text
            x += pad * space + self._width(text)
        return line

    def lines(self):
        """Return the page's rows as text lines padded to their columns."""
        stops = [left * self.width for left in self.columns]
        space = self._width(" ")
        return [self._line(row, stops, space) for row in self.rows]

    def draw(self):
        canvas = self.canv
        top = _LEADING * len(self.rows) + 4
        canvas.setFillColor(colors.HexColor("#DCE6F1"))
        canvas.rect(0, top - 3, self.width, _LEADING, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT_BOLD, _SIZE)
        for left, header in zip(self.columns, self.headers, strict=True):
            canvas.drawString(left * self.width, top, str(header))
        text = canvas.beginText(0, top - _LEADING)
        text.setFont(FONT, _SIZE, _LEADING)
        write_lines(canvas, text, self.lines())
        canvas.drawText(text)


def write_lines(canvas, text, lines):
    """Write text lines, one T* each, as reportlab's textLines does, but quickly when ASCII.

    reportlab maps every character of an embedded TrueType font to its subset one by one
    (most of a 20,000-kit certificate's time). DejaVu is registered ASCII-readable: printable
    ASCII is subset 0 with its own codes, so such a line's bytes are the line itself. The first
    line goes through reportlab (it selects subset 0); the others are appended as the same
    operators. Any other line takes reportlab's own path.
    """
    lines = [line.strip() for line in lines]
    font = pdfmetrics.getFont(text._fontname)
    fast = getattr(font, "_asciiReadable", False) and all(
        line.isascii() and line.isprintable() for line in lines)
    if not fast or not lines:
        text.textLines("\n".join(lines))
        return
    text.textLine(lines[0])
    escape = canvas._escape
    text._code.extend(f"({escape(line.encode('latin-1'))}) Tj T*" for line in lines[1:])
    text._y -= text._leading * (len(lines) - 1)
    text._y0 = text._y


def lot_totals(session, batch):
    """Return [(lot number, kits, units)] of the batch, by lot."""
    return session.execute(
        select(Lot.number, func.count(), func.sum(DestructionItem.units))
        .join(Lot, Lot.id == DestructionItem.lot_id)
        .where(DestructionItem.batch_id == batch.id, DestructionItem.kind == "kit")
        .group_by(Lot.number).order_by(Lot.number)).all()


def closed_reconciliations(session, batch):
    """Return the verified reconciliations whose kits the batch destroys."""
    return session.scalars(select(Reconciliation).where(Reconciliation.id.in_(
        select(ReconciliationKit.reconciliation_id).join(
            DestructionItem, DestructionItem.kit_id == ReconciliationKit.kit_id)
        .where(DestructionItem.batch_id == batch.id)), Reconciliation.status == "verified")
        .order_by(Reconciliation.id)).all()


def batch_sites(session, batch):
    """Return the sites the destroyed kits came from."""
    return session.scalars(select(Site).where(Site.id.in_(
        select(DestructionItem.site_id).where(DestructionItem.batch_id == batch.id)))
        .order_by(Site.site_number)).all()


def product_description(session, batch):
    """Return the products as labelled (a blinded lot's description, never an arm)."""
    names = session.scalars(select(Lot).where(Lot.id.in_(
        select(DestructionItem.lot_id).where(DestructionItem.batch_id == batch.id)))).all()
    return "; ".join(sorted({f"{lot.product.name} {lot.product.strength} "
                             f"{lot.product.form}" for lot in names}))


def item_rows(session, batch):
    """Yield (kit number, lot, site, subject, units) of every item, in kit-number order."""
    lots = dict(session.execute(select(Lot.id, Lot.number)).all())
    sites = dict(session.execute(select(Site.id, Site.site_number).where(
        Site.trial_id == batch.trial_id)).all())
    for ref, lot_id, site_id, subject, units in session.execute(
            select(DestructionItem.reference, DestructionItem.lot_id, DestructionItem.site_id,
                   DestructionItem.subject_code, DestructionItem.units)
            .where(DestructionItem.batch_id == batch.id, DestructionItem.kind == "kit")
            .order_by(DestructionItem.reference)):
        yield ref, lots.get(lot_id, ""), sites.get(site_id, ""), subject or "", units


def content_of(session, batch):
    """Return the certificate's content as data: what its content hash covers."""
    auth = batch.authorisation
    devices = device_rows(session, batch)
    extra = {"devices": hashlib.sha256("".join(f"{r}\n" for r in devices).encode())
             .hexdigest()} if devices else {}  # certificates without devices hash as before
    return {
        **extra,
        "certificate": batch.certificate_number, "batch": batch.number,
        "date": str(batch.destroyed_on), "place": batch.place, "method": batch.method,
        "contractor": batch.contractor, "licence": batch.contractor_licence,
        "weight_kg": str(batch.weight_kg) if batch.weight_kg is not None else None,
        "authorisation": auth.reference, "trial": batch.trial.protocol_code,
        "reconciliations": [r.number for r in closed_reconciliations(session, batch)],
        "lots": [[n, k, int(u or 0)] for n, k, u in lot_totals(session, batch)],
        "items": hashlib.sha256("".join(f"{r}\n" for r in item_rows(session, batch))
                                .encode()).hexdigest(),
        "signatures": [[s.printed_name, s.meaning, s.signed_at.isoformat(), s.content_hash]
                       for s in signatures_for(session, batch)],
    }


def content_hash(session, batch):
    """Return the SHA-256 of the certificate's content (the same on every rebuild)."""
    data = json.dumps(content_of(session, batch), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def _facts(session, batch):
    auth = batch.authorisation
    sites = batch_sites(session, batch)
    recs = closed_reconciliations(session, batch)
    weight = f"{number(batch.weight_kg)} kg" if batch.weight_kg is not None else "—"
    return [
        (_("Certificate number"), batch.certificate_number),
        (_("Destruction batch"), batch.number),
        (_("Date of destruction"), batch.destroyed_on.isoformat()),
        (_("Place"), batch.place),
        (_("Method"), batch.method_label),
        (_("Contractor"), batch.contractor),
        (_("Waste-management licence"), batch.contractor_licence),
        (_("Sponsor authorisation"), f"{auth.reference} ({auth.signed_by}, "
                                     f"{auth.signed_on.isoformat()})"),
        (_("Scope of the authorisation"), describe_scope(auth)),
        (_("Trial"), batch.trial.protocol_code),
        (_("Sponsor"), batch.trial.sponsor),
        (_("Sites"), ", ".join(f"{s.site_number} {s.hospital}" for s in sites)),
        (_("Product (as labelled)"), product_description(session, batch)),
        (_("Reconciliation closed"), ", ".join(
            f"{r.number} ({r.site.site_number}, {r.period_start}…{r.period_end})"
            for r in recs)),
        (_("Kits destroyed"), str(counts(session, batch)["kit"])),
        (_("Devices destroyed"), str(counts(session, batch)["device"])),
        (_("Weight"), weight),
        (_("Content hash (SHA-256)"), content_hash(session, batch)),
    ]


def build_certificate(session, batch, progress=lambda done: None):
    """Return the certificate PDF bytes of an executed batch."""
    if batch.status != "executed":
        raise DomainError(_("A certificate is issued once the batch has been executed."))
    story = [table([_("Item"), _("Value")], _facts(session, batch), col_widths=["32%", "68%"]),
             Spacer(1, 8), para(_("Quantities destroyed by batch (lot)"), "Heading3"),
             table([_("Lot"), _("Kits"), _("Units")],
                   [(n, k, int(u or 0)) for n, k, u in lot_totals(session, batch)])]
    story.append(electronic_signatures_table(signatures_for(session, batch)))
    headers = [_("Kit"), _("Lot"), _("Site"), _("Subject"), _("Units")]
    rows = list(item_rows(session, batch))
    devices = device_rows(session, batch)
    device_headers = [_("Model"), _("Serial"), _("UDI-DI")]
    annexed = len(rows) > INLINE_ITEMS or len(devices) > INLINE_ITEMS
    if not annexed:
        if rows:
            story += [para(_("Kits destroyed"), "Heading3"), table(headers, rows)]
        if devices:
            story += [para(_("Devices destroyed: %(n)s", n=len(devices)), "Heading3"),
                      table(device_headers, devices)]
    else:
        story += [para(_("The %(n)s kits and %(d)s devices destroyed are listed in the annex.",
                         n=len(rows), d=len(devices))), PageBreak()]
        if rows:
            story.append(para(_("Annex: kits destroyed"), "Heading2"))
        for start in range(0, len(rows), ANNEX_ROWS):
            story.append(AnnexPage(headers, rows[start:start + ANNEX_ROWS]))
            progress(start + ANNEX_ROWS)
        if devices:
            story.append(para(_("Annex: devices destroyed (%(n)s)", n=len(devices)),
                              "Heading2"))
        for start in range(0, len(devices), ANNEX_ROWS):
            story.append(AnnexPage(device_headers, devices[start:start + ANNEX_ROWS],
                                   DEVICE_COLUMNS))
    story.append(para(_("End of certificate %(n)s.", n=batch.certificate_number), "Small"))
    return build_pdf(_("Certificate of destruction %(n)s", n=batch.certificate_number), story,
                     subtitle=batch.trial.protocol_code)


def issue_certificate(session, batch, path, progress=lambda done: None, by=None):
    """Write the certificate to path; the first time, keep it with the batch (never rebuilt)."""
    if batch.certificate_id is not None:
        path.write_bytes(read_bytes(batch.certificate))
        return batch.certificate
    path.write_bytes(build_certificate(session, batch, progress))
    stored = store_path(session, path, original_name=f"{batch.certificate_number}.pdf",
                        content_type="application/pdf", uploaded_by=by)
    batch.certificate_id, batch.certificate_sha256 = stored.id, stored.sha256
    record_event(session, "destruction_certificate_issued", "destruction_batch", batch.id,
                 label=batch.number, changes={"certificate_sha256": (None, stored.sha256)})
    session.flush()
    return stored


def send_to_sponsor(session, batch, link, *, by):
    """Queue the certificate's e-mail to the sponsor's address in the outbox."""
    auth = batch.authorisation
    if batch.certificate_id is None:
        raise DomainError(_("Prepare the certificate before sending it."))
    if not auth.sponsor_email:
        raise DomainError(_("The authorisation has no sponsor e-mail address."))
    subject = _("Certificate of destruction %(n)s", n=batch.certificate_number)
    body = _("Certificate of destruction %(n)s of trial %(t)s, under your authorisation "
             "%(ref)s: %(k)s kits and %(v)s devices destroyed on %(d)s by %(c)s. The "
             "certificate is attached (PDF).\nSHA-256 of the PDF: %(h)s\nDownload: %(link)s",
             n=batch.certificate_number, t=batch.trial.protocol_code,
             ref=auth.reference, k=counts(session, batch)["kit"],
             v=counts(session, batch)["device"], d=local_date(batch.destroyed_on),
             c=batch.contractor, h=batch.certificate_sha256, link=absolute_link(link))
    queue_email(session, auth.sponsor_email, subject, body,
                attachments=[(batch.certificate, f"{batch.certificate_number}.pdf")])
    batch.certificate_sent_at = utcnow()
    record_event(session, "destruction_certificate_sent", "destruction_batch", batch.id,
                 label=batch.number, changes={"recipient": (None, auth.sponsor_email)})
    session.flush()
