"""Demo patients, a caregiver and claims in every state, with receipts and a paid batch."""

import io
from datetime import timedelta
from decimal import Decimal

from PIL import Image, ImageDraw
from reportlab.pdfgen import canvas
from sqlalchemy import select

from app.auth.models import User, UserRole
from app.auth.services import hash_password
from app.core import clock
from app.core.models import utcnow
from app.reimbursement.models import PatientLink
from app.reimbursement.services.bank import save_bank_account
from app.reimbursement.services.drafting import add_line, attach_receipt, create_claim, submit_claim
from app.reimbursement.services.payments import create_batch, mark_batch_paid, release_batch
from app.reimbursement.services.policy import policy_for
from app.reimbursement.services.review import approve_claim, validate_claim
from app.trials.api import Subject, TrialVisit

DEMO_PASSWORD = "Demo-Ensayo-2026"

# e-mail, name, subject code, relation, IBAN
PORTAL_USERS = [
    ("paciente1@demo.example", "María García López", "ONC-001-001", "patient",
     "ES7000491500010512345678"),
    ("paciente2@demo.example", "Antonio López Pérez", "CART-001-001", "patient",
     "ES5701820200610123456789"),
    ("cuidador1@demo.example", "Lucía López Martín", "CART-001-001", "caregiver",
     "ES2820850103920300012345"),
]


def receipt_jpeg(text):
    """Return a small JPEG that looks like a till receipt."""
    image = Image.new("RGB", (360, 480), "white")
    draw = ImageDraw.Draw(image)
    for y, line in enumerate(["TICKET", text, clock.today().isoformat(), "IVA incl."]):
        draw.text((24, 30 + 40 * y), line, fill="black")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def receipt_pdf(text):
    """Return a one-page PDF invoice."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 760, "FACTURA SIMPLIFICADA")
    page.drawString(72, 740, text)
    page.showPage()
    page.save()
    return out.getvalue()


def _portal_user(session, email, name, subject, relation, report):
    user = session.scalar(select(User).where(User.email == email))
    if user is not None:
        return user, False
    user = User(email=email, full_name=name, language="es",
                password_hash=hash_password(DEMO_PASSWORD), password_changed_at=utcnow())
    user.role_links = [UserRole(role="patient")]
    session.add(user)
    session.flush()
    session.add(PatientLink(user_id=user.id, subject_id=subject.id, relation=relation))
    report.append(f"created portal user {email} ({relation} of {subject.code})")
    return user, True


def _visit(session, subject, number):
    return session.scalar(select(TrialVisit).where(TrialVisit.trial_id == subject.trial_id,
                                                   TrialVisit.number == number))


def _claim(session, subject, claimant, lines, visit=None, stay=None, by=None):
    """Create a draft with lines: (category, day, description, amount, quantity, receipt)."""
    claim = create_claim(session, subject=subject, claimant=claimant, entered_by=by or claimant,
                         visit=visit, stay_start=stay[0] if stay else None,
                         stay_end=stay[1] if stay else None)
    for category, day, description, amount, quantity, receipt in lines:
        line = add_line(session, claim, category=category, line_date=day,
                        description=description, amount=amount, quantity=quantity)
        if receipt == "jpeg":
            attach_receipt(session, line, receipt_jpeg(f"{description} {amount or ''} EUR"),
                           "ticket.jpg", claimant)
        elif receipt == "pdf":
            attach_receipt(session, line, receipt_pdf(f"{description} {amount} EUR"),
                           "factura.pdf", claimant)
    return claim


def seed_reimbursement(session, users, report):
    """Create the portal accounts and their claims once (idempotent by e-mail)."""
    site_user = users["farmacia@demo.example"]
    finance, finance2 = users["finanzas@demo.example"], users["finanzas2@demo.example"]
    subjects = {code: session.scalar(select(Subject).where(Subject.code == code))
                for code in {spec[2] for spec in PORTAL_USERS}}
    portal = {}
    created = False
    for email, name, code, relation, iban in PORTAL_USERS:
        user, new = _portal_user(session, email, name, subjects[code], relation, report)
        portal[email] = user
        if new:
            created = True
            save_bank_account(session, user, iban=iban, holder_name=name, holder_is_payee=True)
    if not created:
        return
    for subject in subjects.values():
        policy_for(session, subject.trial)
    maria, antonio = portal["paciente1@demo.example"], portal["paciente2@demo.example"]
    lucia = portal["cuidador1@demo.example"]
    onc, cart = subjects["ONC-001-001"], subjects["CART-001-001"]
    start = onc.enrolment_date

    def day(visit_number, subject=onc):
        return subject.enrolment_date + timedelta(days=_visit(session, subject,
                                                              visit_number).day_offset)

    # María (ONC): a draft, a submitted claim, a validated one with a reduced line,
    # an approved one waiting for a batch and a rejected one.
    _claim(session, onc, maria, [("car_mileage", day(5), "Casa - hospital ida y vuelta",
                                  None, "64", None)], visit=_visit(session, onc, 5))
    submitted = _claim(session, onc, maria, [
        ("taxi", day(4), "Taxi al hospital", "23.50", None, "jpeg"),
        ("parking_tolls", day(4), "Aparcamiento del hospital", "4.20", None, None)],
        visit=_visit(session, onc, 4))
    submit_claim(session, submitted, maria, declaration=True)
    reduced = _claim(session, onc, maria, [
        ("taxi", day(3), "Taxi ida y vuelta", "62.00", None, "pdf"),
        ("meals", day(3), "Comida en el hospital", None, "1", None)],
        visit=_visit(session, onc, 3))
    submit_claim(session, reduced, maria, declaration=True)
    validate_claim(session, reduced, {reduced.lines[0].id: (
        "reduced", Decimal("45.00"), "La tarifa habitual de taxi para este trayecto es 45 €.")},
        site_user)
    waiting = _claim(session, onc, maria, [
        ("public_transport", day(2), "Tren de cercanías ida y vuelta", "8.40", None, "jpeg")],
        visit=_visit(session, onc, 2))
    submit_claim(session, waiting, maria, declaration=True)
    validate_claim(session, waiting, {}, site_user)
    approve_claim(session, waiting, {}, finance)
    rejected = _claim(session, onc, maria, [
        ("other", start + timedelta(days=1), "Cuidado de niños", "30.00", None, "jpeg")],
        visit=_visit(session, onc, 2))
    submit_claim(session, rejected, maria, declaration=True)
    validate_claim(session, rejected, {rejected.lines[0].id: (
        "rejected", None, "Ese día no hubo visita del ensayo.")}, site_user)

    # Antonio (CAR-T): a paid claim in a paid batch and a lodging stay waiting for finance.
    paid = _claim(session, cart, antonio, [
        ("car_mileage", day(3, cart), "Casa - Hospital Clínic", None, "180", None),
        ("parking_tolls", day(3, cart), "Peaje AP-7", "12.35", None, "jpeg")],
        visit=_visit(session, cart, 3))
    submit_claim(session, paid, antonio, declaration=True)
    validate_claim(session, paid, {}, site_user)
    approve_claim(session, paid, {}, finance)
    batch = create_batch(session, [paid.id], finance)
    release_batch(session, batch, finance2, DEMO_PASSWORD)
    mark_batch_paid(session, batch, finance, value_date=batch.execution_date,
                    bank_reference="ENSAYO " + batch.message_id[-8:])
    stay_start = day(3, cart)
    stay = _claim(session, cart, antonio, [
        ("lodging", stay_start, "Apartamento cerca del hospital, 14 noches", "1190.00", "14",
         "pdf"),
        ("meals", stay_start, "Dietas durante la estancia", None, "14", None)],
        stay=(stay_start, stay_start + timedelta(days=14)))
    submit_claim(session, stay, antonio, declaration=True)
    validate_claim(session, stay, {}, site_user)
    # Lucía, the caregiver, claims her own travel (entered by the site on her behalf).
    caregiver = _claim(session, cart, lucia, [
        ("public_transport", day(4, cart), "Autobús interurbano", "6.80", None, "jpeg")],
        visit=_visit(session, cart, 4), by=site_user)
    submit_claim(session, caregiver, site_user, declaration=True)
    report.append("created demo expense claims in every state and a paid payment batch")
