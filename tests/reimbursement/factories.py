"""Reimbursement factories: a subject with a portal account, claims in each state."""

import io
import re
from datetime import date
from decimal import Decimal

from PIL import Image

from app.reimbursement.models import PatientLink
from app.reimbursement.services.bank import save_bank_account
from app.reimbursement.services.drafting import add_line, attach_receipt, create_claim, submit_claim
from app.reimbursement.services.review import approve_claim, validate_claim
from tests.factories import make_site, make_subject, make_trial, make_user, make_visit

IBAN = "ES9121000418450200051332"
OTHER_IBAN = "ES7000491500010512345678"


def exactly(message):
    """Return a pattern for pytest.raises(match=...) that only the whole message matches."""
    return f"^{re.escape(message)}$"


def jpeg_bytes(color=(200, 30, 30), size=(60, 40), exif=None):
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    image.save(out, "JPEG", **({"exif": exif} if exif else {}))
    return out.getvalue()


def pdf_bytes(text="Receipt"):
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(100, 750, text)
    c.showPage()
    c.save()
    return out.getvalue()


class World:
    """A trial, site, subject, patient, site user and two finance users."""

    def __init__(self, session, kind="drug"):
        self.session = session
        self.trial = make_trial(session, kind=kind)
        self.visit = make_visit(session, self.trial, number=1, day_offset=14)
        self.site = make_site(session, self.trial)
        self.subject = make_subject(session, self.site, enrolment_date=date(2026, 1, 10))
        self.patient = make_user(session, roles=("patient",))
        session.add(PatientLink(user_id=self.patient.id, subject_id=self.subject.id,
                                relation="patient"))
        self.site_user = make_user(session, roles=("site",), sites=[self.site])
        self.finance = make_user(session, roles=("finance",))
        self.finance2 = make_user(session, roles=("finance",))
        session.flush()

    def claim(self, lines=(("taxi", Decimal("25.00"), None),), by=None, receipt=True):
        claim = create_claim(self.session, subject=self.subject, claimant=self.patient,
                             entered_by=by or self.patient, visit=self.visit)
        for category, amount, quantity in lines:
            line = add_line(self.session, claim, category=category, line_date=date(2026, 1, 24),
                            description=f"{category} to the hospital", amount=amount,
                            quantity=quantity)
            if receipt and category not in ("car_mileage", "meals"):
                attach_receipt(self.session, line, jpeg_bytes(color=(line.id % 255, 1, 2)),
                               "ticket.jpg", self.patient)
        return claim

    def submitted(self, **kwargs):
        claim = self.claim(**kwargs)
        submit_claim(self.session, claim, self.patient, declaration=True)
        return claim

    def validated(self, decisions=None, **kwargs):
        claim = self.submitted(**kwargs)
        validate_claim(self.session, claim, decisions or {}, self.site_user)
        return claim

    def approved(self, **kwargs):
        claim = self.validated(**kwargs)
        approve_claim(self.session, claim, {}, self.finance)
        return claim

    def bank(self, user=None, iban=IBAN, holder="José Núñez Peña"):
        return save_bank_account(self.session, user or self.patient, iban=iban,
                                 holder_name=holder, holder_is_payee=True)


def sepa_by_job(world, batch, by=None):
    """Release the batch (second finance user) and prepare its SEPA file as the background job
    does (inline); return (job, XML bytes of the stored file, or None when the job failed)."""
    from app.files.services import read_bytes
    from app.jobs.queue import huey
    from app.jobs.services import enqueue, start_job
    from app.reimbursement.services.payments import release_batch
    from tests.factories import PASSWORD

    if batch.status == "draft":
        release_batch(world.session, batch, world.finance2, PASSWORD)
    job = start_job(world.session, by or world.finance, "sepa_file", {"batch_id": batch.id},
                    batch.count)
    world.session.commit()
    saved, huey.immediate = huey.immediate, True
    try:
        enqueue(world.session, job)
    finally:
        huey.immediate = saved
    world.session.refresh(job)
    return job, (read_bytes(job.file) if job.status == "ready" else None)
