"""Demo devices: glucose sensors of the device trial, instruments at sites, their calibrations.

Shows an overdue in-house check at an oncology site, a yearly calibration due soon, a
blood-pressure monitor found out of tolerance (with its impact assessment open down to the
subject visits it measured), a record waiting for authorisation and implanted sensors.
"""

from datetime import timedelta
from decimal import Decimal as D

from sqlalchemy import select

from app.auth.demo import DEMO_PASSWORD
from app.core import clock
from app.devices.models import DeviceModel
from app.devices.services import calibration
from app.devices.services.accountability import record_event, record_receipt
from app.devices.services.calibration import PointInput
from app.devices.services.devices import create_device, create_model, move
from app.stock.api import site_location
from app.trials.api import Site, Subject, Trial, TrialVisit

LAB = dict(customer="Ensayo Logística Clínica S.L.", lab_name="Laboratorio de metrología ELC",
           lab_address="Calle de la Ciencia 12, 28760 Tres Cantos, Madrid",
           accreditation_body="ENAC", accreditation_number="215/LC10.178",
           performed_at_place="Laboratorio de metrología, Tres Cantos",
           condition_on_receipt="Sin daños visibles, funciona", deviations=None,
           temperature_c=D("21.3"), humidity_pct=D("44.0"), environment_note=None, opinion=None)


def _model(session, manufacturer, model, kind, device_class, udi, investigational=False,
           needs_calibration=True):
    return create_model(session, manufacturer=manufacturer, model=model, kind=kind,
                        device_class=device_class, udi_di=udi, investigational=investigational,
                        needs_calibration=needs_calibration)


def _at_site(session, device, site, by, days_ago):
    move(session, device, "ship", by=by, today=clock.today() - timedelta(days=days_ago))
    location = site_location(session, site)
    move(session, device, "receive", values={"site_id": site.id, "location_id": location.id,
                                              "trial_id": site.trial_id})
    record_receipt(session, device, site.id, by, clock.today() - timedelta(days=days_ago))


def _calibrate(session, plan, standard, tech, qp, number, days_ago, found, left=None,
               authorise=True, quantity="Temperature", nominal=D("5.0"), u=D("0.10")):
    on = clock.today() - timedelta(days=days_ago)
    record = calibration.record_calibration(
        session, plan, points=[PointInput(quantity, nominal, found, left, u, D("2"))],
        standards=[standard.serial], by=tech, certificate_number=number, method=plan.procedure,
        received_on=on, calibrated_on=on, issued_on=on, decision_rule="ilac_g8", **LAB,
        today=clock.today())
    calibration.perform(session, record, signer=tech, password=DEMO_PASSWORD)
    if authorise:
        calibration.authorise(session, record, signer=qp, password=DEMO_PASSWORD)
    return record


def _plan(session, device, name, interval, lab_kind, tolerances, first_due):
    return calibration.save_plan(session, device, name=name, interval_days=interval,
                                 procedure="PNT-CAL-0" + str(interval % 7), lab_kind=lab_kind,
                                 lab_name="Laboratorio de metrología ELC" if lab_kind ==
                                 "external" else None, tolerances=tolerances,
                                 first_due=first_due)


def seed_devices(session, users, report):
    """Create the demo devices once; later runs say they are already there."""
    if session.scalar(select(DeviceModel.id).limit(1)):
        report.append("devices demo already present")
        return
    tech, qp = users["logistica@demo.example"], users["qp@demo.example"]
    admin = users["admin@demo.example"]
    today = clock.today()
    dev_trial = session.scalar(select(Trial).where(Trial.protocol_code == "DEV-2025-021"))
    onc_trial = session.scalar(select(Trial).where(Trial.protocol_code == "ONC-2024-017"))
    dev_site = session.scalar(select(Site).where(Site.trial_id == dev_trial.id))
    onc_site = session.scalar(select(Site).where(Site.trial_id == onc_trial.id,
                                                 Site.site_number == "001"))
    temp = [("Temperature", "°C", D("0.5"))]
    ref_model = _model(session, "Fluke", "1524 + 5615 PRT", "reference", "I", "0887555000011")
    standard = create_device(session, model=ref_model, serial="REF-PT100-01",
                             owner="Ensayo Logística Clínica S.L.")
    std_plan = _plan(session, standard, "Calibración acreditada anual", 365, "external",
                     [("Temperature", "°C", D("0.05"))], today - timedelta(days=120))
    upper = create_device(session, model=ref_model, serial="REF-PT100-00",
                          owner="Ensayo Logística Clínica S.L.")
    _plan(session, upper, "Calibración acreditada anual", 365, "external",
          [("Temperature", "°C", D("0.05"))], today + timedelta(days=200))
    _calibrate(session, std_plan, upper, tech, qp, "ELC-2026-0001", 120, D("5.01"),
               u=D("0.01"))
    thermo = _model(session, "Testo", "184 T3", "thermometer", "I", "4029547000188")
    # An oncology site's fridge thermometer: its monthly in-house check is overdue.
    fridge = create_device(session, model=thermo, serial="TH-ONC-001-F1",
                           owner="Ensayo Logística Clínica S.L.", trial_id=onc_trial.id)
    yearly = _plan(session, fridge, "Calibración acreditada anual", 365, "external", temp,
                   today - timedelta(days=200))
    monthly = _plan(session, fridge, "Comprobación interna mensual", 30, "internal", temp,
                    today - timedelta(days=40))
    _calibrate(session, yearly, standard, tech, qp, "ELC-2026-0002", 100, D("5.2"))
    _calibrate(session, monthly, standard, tech, qp, "ELC-2026-0003", 40, D("5.1"))
    _at_site(session, fridge, onc_site, tech, 35)
    # In stock: a logger whose yearly calibration falls due in a week.
    logger = create_device(session, model=_model(session, "Sensitech", "TempTale Ultra",
                                                 "logger", "I", "0081234000777"),
                           serial="LG-2041", owner="Ensayo Logística Clínica S.L.")
    _plan(session, logger, "Calibración acreditada anual", 365, "external", temp,
          today - timedelta(days=358))
    _calibrate(session, calibration_plan_of(session, logger), standard, tech, qp,
               "ELC-2026-0004", 358, D("5.2"))
    # The device trial's blood-pressure monitor, found out of tolerance today.
    bp = create_device(session, model=_model(session, "Omron", "HBP-1320", "bp_monitor",
                                             "IIa", "4975479000132"),
                       serial="BP-DEV-001", owner="Ensayo Logística Clínica S.L.",
                       trial_id=dev_trial.id)
    bp_plan = _plan(session, bp, "Calibración semestral", 180, "internal",
                    [("Presión", "mmHg", D("3"))], today - timedelta(days=100))
    _calibrate(session, bp_plan, standard, tech, qp, "ELC-2026-0005", 100, D("120.5"),
               quantity="Presión", nominal=D("120"), u=D("0.8"))
    _at_site(session, bp, dev_site, tech, 95)
    subjects = session.scalars(select(Subject).where(Subject.site_id == dev_site.id)
                               .order_by(Subject.code)).all()
    visits = session.scalars(select(TrialVisit).where(TrialVisit.trial_id == dev_trial.id)
                             .order_by(TrialVisit.number)).all()
    for days_ago, subject, visit in ((90, subjects[0], visits[0]), (60, subjects[0], visits[1]),
                                     (45, subjects[1], visits[0]), (30, subjects[1], visits[1]),
                                     (5, subjects[0], visits[2])):
        record_event(session, bp, kind="use", subject_id=subject.id, visit_id=visit.id,
                     on_date=today - timedelta(days=days_ago), by=admin)
    _calibrate(session, bp_plan, standard, tech, qp, "ELC-2026-0006", 0, D("124.6"),
               left=D("120.4"), quantity="Presión", nominal=D("120"), u=D("0.8"))
    # Implantable glucose sensors at the device trial's site; two implanted.
    sensor = _model(session, "MedDevices Iberia", "GlucoSense G3", "investigational", "III",
                    "8437000300031", investigational=True, needs_calibration=False)
    for n in range(1, 7):
        device = create_device(session, model=sensor, serial=f"GS3-{n:04d}", lot="GS3L2501",
                               expires_on=today + timedelta(days=400),
                               owner="MedDevices Iberia S.A.", trial_id=dev_trial.id)
        if n <= 4:
            _at_site(session, device, dev_site, tech, 130)
        if n <= 2:
            record_event(session, device, kind="implant", subject_id=subjects[n - 1].id,
                         visit_id=visits[0].id, on_date=today - timedelta(days=120 - 60 * (n - 1)),
                         by=admin)
    _devices_only_shipment(session, onc_trial, onc_site, tech, thermo, temp)
    # A scale calibrated yesterday, signed by the technician, waiting for QA's authorisation.
    scale = create_device(session, model=_model(session, "Seca", "877", "scale", "III",
                                                "4031925000877"),
                          serial="SC-DEP-001", owner="Ensayo Logística Clínica S.L.")
    scale_plan = _plan(session, scale, "Calibración anual", 365, "internal",
                       [("Mass", "kg", D("0.1"))], today)
    _calibrate(session, scale_plan, standard, tech, qp, "ELC-2026-0007", 1, D("50.02"),
               authorise=False, quantity="Mass", nominal=D("50"), u=D("0.02"))
    report.append("created demo devices, calibration plans, records and an impact assessment")


def _devices_only_shipment(session, trial, site, tech, model, tolerances):
    """Two spare fridge thermometers go to an oncology site on a shipment of devices only,
    ordered and waiting to be picked by scan on the shipment's page."""
    from app.devices.services.shipping import add_device
    from app.shipments.api import create_shipment, propose_kits
    from app.stock.api import Location

    depot = session.scalar(select(Location).where(Location.kind == "depot")
                           .order_by(Location.id))
    if depot is None:
        return
    shipment = create_shipment(session, trial=trial, kind="resupply", origin=depot,
                               destination=site_location(session, site), requested_kits=0,
                               expected_arrival=clock.today() + timedelta(days=3),
                               notes="Termómetros de repuesto (solo dispositivos).", by=tech)
    for n in (2, 3):
        device = create_device(session, model=model, serial=f"TH-ONC-001-F{n}",
                               owner="Ensayo Logística Clínica S.L.", trial_id=trial.id)
        _plan(session, device, "Calibración acreditada anual", 365, "external", tolerances,
              clock.today() + timedelta(days=300))
        add_device(session, shipment, device.serial, tech)
    propose_kits(session, shipment, by=tech)


def calibration_plan_of(session, device):
    """Return the device's first plan."""
    from app.devices.models import CalibrationPlan

    return session.scalar(select(CalibrationPlan).where(CalibrationPlan.device_id == device.id)
                          .order_by(CalibrationPlan.id))
