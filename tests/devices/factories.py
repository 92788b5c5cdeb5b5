"""Device factories: models, devices, plans, calibrations signed by two people, uses."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal as D

from app.core import clock
from app.devices.services import calibration
from app.devices.services.calibration import PointInput
from app.devices.services.devices import create_device, create_model
from app.stock.api import site_location
from tests import factories
from tests.factories import PASSWORD


def make_device(session, kind="thermometer", serial=None, investigational=False, **values):
    """Return a device of a new model of that kind, in stock."""
    n = factories.next_number()
    model = create_model(session, manufacturer="Acme", model=f"{kind}-{n}", device_class="IIa",
                         kind=kind, udi_di=f"0845{n:010d}", investigational=investigational)
    return create_device(session, model=model, serial=serial or f"SN-{n:05d}",
                         owner="Distributor", **values)


def make_plan(session, device, interval=365, tolerance=D("0.5"), first_due=None, **values):
    """Return a plan with one temperature tolerance."""
    values.setdefault("lab_kind", "internal")
    return calibration.save_plan(
        session, device, name=values.pop("name", "Yearly calibration"), interval_days=interval,
        procedure="PRO-CAL-01", tolerances=[("Temperature", "°C", tolerance)],
        first_due=first_due or clock.today() + timedelta(days=30), **values)


@dataclass
class People:
    """Who calibrates and who authorises."""

    technician: object
    authoriser: object


def make_people(session):
    return People(factories.make_user(session, roles=("logistics",)),
                  factories.make_user(session, roles=("qp",)))


def make_reference(session, people, due_in=200):
    """Return a reference standard with a plan due in the future."""
    standard = make_device(session, kind="reference")
    make_plan(session, standard, first_due=clock.today() + timedelta(days=due_in))
    return standard


def record_fields(certificate=None, on=None, rule="ilac_g8"):
    on = on or clock.today()
    return dict(certificate_number=certificate or f"CAL-{factories.next_number():05d}",
                customer="Iberia Pharma", lab_name="Distributor calibration lab",
                lab_address="Calle Mayor 1, Madrid", accreditation_body="ENAC",
                accreditation_number="123/LC10.456", performed_at_place="Madrid depot lab",
                method="PRO-CAL-01 comparison", deviations=None,
                condition_on_receipt="Good", received_on=on, calibrated_on=on, issued_on=on,
                temperature_c=D("21.5"), humidity_pct=D("45.0"), environment_note=None,
                decision_rule=rule, opinion=None)


def make_calibrated(session, plan, people, standard, *, found=D("5.1"), left=None, on=None,
                    uncertainty=D("0.12"), certificate=None, authorise=True):
    """Record, perform and (by default) authorise a one-point calibration; return it."""
    record = calibration.record_calibration(
        session, plan, points=[PointInput("Temperature", D("5.0"), found, left, uncertainty,
                                          D("2"))],
        standards=[standard.serial], by=people.technician,
        **record_fields(certificate, on))
    calibration.perform(session, record, signer=people.technician, password=PASSWORD)
    if authorise:
        calibration.authorise(session, record, signer=people.authoriser, password=PASSWORD)
    return record


def make_at_site(session, device, site, by):
    """Put a device at a site as a shipment would (ship then receive)."""
    from app.devices.services.accountability import record_receipt
    from app.devices.services.devices import move

    move(session, device, "ship", by=by)
    location = site_location(session, site)
    move(session, device, "receive", values={"site_id": site.id,
                                                   "location_id": location.id,
                                                   "trial_id": site.trial_id})
    record_receipt(session, device, site.id, by)
    return device
