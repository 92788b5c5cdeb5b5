"""Demo: the CAR-T trial's orders at several steps, dry shippers, the lab account."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.auth.models import User, UserRole
from app.auth.services import hash_password
from app.celltherapy.models import Custody, DryShipper, TherapyOrder
from app.celltherapy.services import identity
from app.core import clock
from app.core.models import utcnow
from app.trials.api import Subject, Trial

LAB_USER = ("laboratorio@demo.example", "Dra. Ana Ferrer (laboratorio de fabricación)")
# subject code -> (step reached, days ago the collection was)
ORDERS = {"CART-001-001": ("infused", 40), "CART-002-001": ("infused", 75),
          "CART-001-002": ("manufacturing", 9), "CART-002-002": ("released", 20),
          "CART-002-003": ("to_site", 24), "CART-001-003": ("scheduled", -7)}
# hours after collection each step was entered (a typical CAR-T vein-to-vein of ~24 days)
OFFSETS = {"collected": 0, "to_lab": 3, "at_lab": 22, "manufacturing": 30, "released": 400,
           "to_site": 430, "received": 452, "stored": 454, "thawed": 570, "infused": 572}
SHIPPERS = (("00614141000012345678", "grai", "MVE CryoShipper XC", 240, "charged"),
            ("DS-2024-0007", "serial", "Cryoport Express HV3", 240, "available"),
            ("DS-2023-0002", "serial", "MVE CryoShipper XC", 192, "requalification"))


def seed_lab_user(session, report):
    """Create the manufacturing-lab account (identifiers only)."""
    from app.auth.demo import DEMO_PASSWORD

    user = session.scalar(select(User).where(User.email == LAB_USER[0]))
    if user is None:
        user = User(email=LAB_USER[0], full_name=LAB_USER[1], language="es",
                    password_hash=hash_password(DEMO_PASSWORD), password_changed_at=utcnow())
        user.role_links = [UserRole(role="manufacturer")]
        session.add(user)
        report.append(f"created user {LAB_USER[0]} (manufacturer)")
    return user


def seed_shippers(session, report):
    """Create the demo dry shippers."""
    shippers = {}
    for code, kind, model, hours, status in SHIPPERS:
        shipper = session.scalar(select(DryShipper).where(DryShipper.code == code))
        if shipper is None:
            now = utcnow()
            shipper = DryShipper(code=code, id_kind=kind, model_name=model,
                                 static_hold_hours=hours, status=status,
                                 qualified_until=clock.today() + timedelta(days=150),
                                 charged_at=now - timedelta(hours=6) if status == "charged"
                                 else None,
                                 charge_record="LN2 absorbido hasta el peso de carga; 18 h de carga"
                                 if status == "charged" else None)
            session.add(shipper)
            report.append(f"created dry shipper {code}")
        shippers[code] = shipper
    return shippers


def seed_cell_therapy(session, context, report):
    """Give the CAR-T trial orders at several steps (idempotent)."""
    lab = seed_lab_user(session, report)
    shippers = seed_shippers(session, report)
    session.flush()
    trial = session.scalar(select(Trial).where(Trial.protocol_code == "CART-2025-003"))
    if trial is None:
        return
    site_user = context.get("users", {}).get("farmacia@demo.example")
    for code, (step, days_ago) in ORDERS.items():
        subject = session.scalar(select(Subject).where(Subject.trial_id == trial.id,
                                                       Subject.code == code))
        if subject is None or session.scalar(select(TherapyOrder.id).where(
                TherapyOrder.subject_id == subject.id)):
            continue
        order = demo_order(session, subject, step, days_ago, shippers)
        if site_user is not None and order.collected_at:
            demo_custody(session, order, site_user, lab)
        report.append(f"created therapy order {order.reference} ({step})")


def demo_order(session, subject, step, days_ago, shippers):
    """Create one order with its step stamps filled in up to the step."""
    collected = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - \
        timedelta(days=days_ago)
    order = TherapyOrder(trial_id=subject.trial_id, site_id=subject.site_id,
                         subject_id=subject.id, product_kind="car_t", status=step,
                         collection_date=collected.date(),
                         manufacturing_slot=collected.date() + timedelta(days=2),
                         scheduled_at=collected - timedelta(days=14))
    if step != "scheduled":
        order.coi = identity.allocate(session, TherapyOrder, collected.year)
        order.bag_ids = f"AF-{subject.code[-3:]}-1, AF-{subject.code[-3:]}-2"
        order.volume_ml = Decimal("245.0")
        order.cell_count = "3100 × 10⁶ CD3+"
        order.courier = "World Courier"
        reached = list(OFFSETS).index(step)
        for state in list(OFFSETS)[:reached + 1]:
            setattr(order, f"{state}_at", collected + timedelta(hours=OFFSETS[state]))
        order.step_at = getattr(order, f"{step}_at")
        if reached >= list(OFFSETS).index("to_site"):
            order.shipper_id = shippers["DS-2023-0002"].id
            order.planned_transit_hours = 30
    else:
        order.step_at = order.scheduled_at
    session.add(order)
    session.flush()
    return order


def demo_custody(session, order, site_user, lab):
    """Write the handoffs the order went through (scanned identifiers)."""
    coi = identity.barcode_text(order.coi)
    hops = (("ship_to_lab", "to_lab_at", site_user.full_name, "World Courier",
             "Hospital Clínic, sala de aféresis", "cool", Decimal("5.0"), site_user),
            ("receive_at_lab", "at_lab_at", "World Courier", lab.full_name,
             "Laboratorio de terapia celular, Madrid", "cool", Decimal("6.0"), lab),
            ("ship_to_site", "to_site_at", lab.full_name, "World Courier",
             "Laboratorio de terapia celular, Madrid", "frozen", Decimal("-185.0"), lab),
            ("receive_at_site", "received_at", "World Courier", site_user.full_name,
             "Hospital Clínic, servicio de farmacia", "frozen", Decimal("-180.0"), site_user),
            ("infuse", "infused_at", site_user.full_name, site_user.full_name,
             "Hospital Clínic, unidad de hematología", "intact", None, site_user))
    for step, stamp, giver, taker, where, condition, temperature, by in hops:
        at = getattr(order, stamp)
        if at is None:
            continue
        session.add(Custody(order_id=order.id, step=step, handed_over_by=giver,
                            received_by=taker, recorded_by_id=by.id, location=where,
                            occurred_at=at, condition=condition, temperature_c=temperature,
                            bag_scan=coi, document_scan=coi))
