"""The screens: certificate PDF read back, forms keep what was typed, due list, alerts, logs."""

import io
import subprocess
from datetime import timedelta
from decimal import Decimal as D

from sqlalchemy import func, select

from app.alerts.services import run_alerts
from app.core import clock
from app.devices.models import CalibrationRecord, DeviceEvent, DeviceLogReview
from app.devices.services.devices import move
from app.notify.models import Notice
from tests.factories import PASSWORD


def pdftotext(data):
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_the_certificate_pdf_holds_every_17025_element(client, login, db, dev):
    people = dev.people()
    standard = dev.reference(people)
    device = dev.device(serial="TH-CERT-1")
    plan = dev.plan(device)
    record = dev.calibrated(plan, people, standard, found=D("5.8"), left=D("5.1"),
                            certificate="CAL-2026-0042")
    login(people.authoriser)
    response = client.get(f"/devices/records/{record.id}/certificate.pdf")
    assert response.status_code == 200
    text = " ".join(pdftotext(response.data).split())
    for expected in (
            "Calibration certificate CAL-2026-0042", "Distributor calibration lab",
            "Calle Mayor 1, Madrid", "ENAC 123/LC10.456", "Madrid depot lab", "Iberia Pharma",
            "Serial TH-CERT-1", "Condition of the item on receipt Good",
            "Method PRO-CAL-01 comparison", "Date of receipt", "Date of calibration",
            "Date of issue", "21.5 °C, 45 % relative humidity", "Results before and after "
            "adjustment", "Temperature 5 5.8 0.8 5.1 0.1 0.5 0.12 (k = 2) Fail Pass",
            "Metrological traceability", standard.serial, "Statement of conformity",
            "Decision rule: ILAC-G8 pass / conditional pass / conditional fail / fail.",
            "As found: Fail. As left: Pass.", "The item was adjusted during calibration.",
            "The results relate only to the item calibrated.", "End of certificate "
            "CAL-2026-0042", "Performed", people.technician.full_name,
            people.authoriser.full_name):
        assert expected in text, expected


def _record_form(plan, **overrides):
    data = {"certificate_number": "CAL-FORM-1", "customer": "Iberia Pharma",
            "lab_name": "Lab", "lab_address": "Madrid", "performed_at_place": "Depot",
            "method": "PRO-CAL-01", "condition_on_receipt": "Good",
            "received_on": clock.today().isoformat(), "calibrated_on": clock.today().isoformat(),
            "issued_on": clock.today().isoformat(), "temperature_c": "21", "humidity_pct": "40",
            "decision_rule": "ilac_g8", "standards": "",
            "points-0-quantity": "Temperature", "points-0-nominal": "5",
            "points-0-as_found": "5.1", "points-0-uncertainty": "0.1", "points-0-k": "2"}
    data.update(overrides)
    return data


def test_a_future_calibration_date_is_refused_beside_its_field_and_kept(client, login, db,
                                                                         dev):
    people = dev.people()
    standard = dev.reference(people)
    plan = dev.plan(dev.device())
    db.session.commit()
    login(people.technician)
    future = (clock.today() + timedelta(days=3)).isoformat()
    response = client.post(f"/devices/plans/{plan.id}/records/new", data=_record_form(
        plan, calibrated_on=future, standards=standard.serial))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This date is in the future." in page and f'value="{future}"' in page
    assert db.session.scalar(select(func.count()).select_from(CalibrationRecord)) == 0


def test_a_record_entered_on_the_screen_is_signed_by_two_people(client, login, db, dev):
    people = dev.people()
    standard = dev.reference(people)
    plan = dev.plan(dev.device())
    db.session.commit()
    login(people.technician)
    response = client.post(f"/devices/plans/{plan.id}/records/new",
                           data=_record_form(plan, standards=standard.serial))
    record = db.session.scalar(select(CalibrationRecord))
    assert response.status_code == 302 and record.status == "draft"
    sign = {"meaning": "performed", "password": PASSWORD, "confirm": "y"}
    assert client.post(f"/devices/records/{record.id}/sign", data=sign).status_code == 302
    login(people.authoriser)
    client.post(f"/devices/records/{record.id}/sign", data={**sign, "meaning": "approved"})
    db.session.refresh(record)
    assert (record.status, record.as_found_result) == ("authorised", "pass")
    db.session.refresh(plan)
    assert plan.next_due == clock.today() + timedelta(days=365)


def test_the_due_list_filters_and_exports(client, login, db, dev):
    overdue = dev.device(serial="TH-LATE")
    dev.plan(overdue, first_due=clock.today() - timedelta(days=2))
    soon = dev.device(serial="TH-SOON")
    dev.plan(soon, first_due=clock.today() + timedelta(days=5))
    dev.plan(dev.device(serial="TH-LATER"), first_due=clock.today() + timedelta(days=90))
    login(dev.people().technician)
    page = client.get("/devices/due").get_data(as_text=True)
    assert "TH-LATE" in page and "TH-SOON" in page and "TH-LATER" not in page
    page = client.get("/devices/due?when=overdue").get_data(as_text=True)
    assert "TH-LATE" in page and "TH-SOON" not in page
    excel = client.get("/devices/due.xlsx?when=due")
    assert excel.status_code == 200 and excel.data[:2] == b"PK"


def test_the_daily_alert_warns_before_and_on_the_due_date(db, dev, make):
    site = make.site()
    site_user = make.user(roles=("site",), sites=[site])
    logistics = make.user(roles=("logistics",))
    device = dev.device(serial="TH-ALERT")
    device.site_id = site.id
    dev.plan(device, first_due=clock.today() + timedelta(days=10))
    run_alerts(db.session, clock.today())
    told = {(n.user_id, n.message) for n in db.session.scalars(select(Notice))}
    due = clock.today() + timedelta(days=10)
    # English notices use the British order (issue 12): day, month, year
    subject = f"Calibration of TH-ALERT due on {due.day} {due.strftime('%b')} {due.year}"
    assert (site_user.id, subject) in told and (logistics.id, subject) in told
    run_alerts(db.session, clock.today())  # told once
    assert db.session.scalar(select(func.count()).select_from(Notice)) == len(told)
    run_alerts(db.session, due)
    assert any(n.message.startswith("Calibration of TH-ALERT is due") for n in
               db.session.scalars(select(Notice).where(Notice.user_id == site_user.id)))


def test_an_out_of_service_device_cannot_be_used(client, login, db, dev, make):
    trial = make.trial()
    visit = make.visit(trial)
    site = make.site(trial)
    subject = make.subject(site)
    people = dev.people()
    device = dev.device(serial="PUMP-OOS", kind="infusion_pump")
    dev.at_site(device, site, people.technician)
    move(db.session, device, "take_out_of_service", reason="Alarm fault")
    site_user = make.user(roles=("site",), sites=[site])
    db.session.commit()
    login(site_user)
    response = client.post(f"/devices/sites/{site.id}/events", data={
        "serial": "PUMP-OOS", "kind": "use", "subject_id": subject.id, "visit_id": visit.id,
        "on_date": clock.today().isoformat()})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("Device PUMP-OOS is Out of service and cannot be shipped, allocated or used."
            in page)
    assert db.session.scalar(select(func.count()).select_from(DeviceEvent).where(
        DeviceEvent.kind == "use")) == 0


def test_the_site_signs_its_device_log_and_the_monitor_verifies_it(client, login, db, dev,
                                                                    make):
    trial = make.trial()
    visit = make.visit(trial)
    site = make.site(trial)
    subject = make.subject(site)
    people = dev.people()
    device = dev.device(serial="GLU-001", kind="investigational", investigational=True)
    dev.at_site(device, site, people.technician)
    site_user = make.user(roles=("site",), sites=[site])
    monitor = make.user(roles=("monitor",))
    db.session.commit()
    login(site_user)
    client.post(f"/devices/sites/{site.id}/events", data={
        "serial": "GLU-001", "kind": "implant", "subject_id": subject.id, "visit_id": visit.id,
        "on_date": clock.today().isoformat()})
    client.post(f"/devices/sites/{site.id}/freeze", data={})
    review = db.session.scalar(select(DeviceLogReview))
    sign = {"meaning": "submitted", "password": PASSWORD, "confirm": "y"}
    client.post(f"/devices/logs/{review.id}/sign", data=sign)
    # a later explant does not change the frozen figures
    client.post(f"/devices/sites/{site.id}/events", data={
        "serial": "GLU-001", "kind": "explant", "subject_id": subject.id,
        "on_date": clock.today().isoformat(), "reason": "Sensor end of life"})
    login(monitor)
    client.post(f"/devices/logs/{review.id}/sign", data={**sign, "meaning": "verified"})
    page = client.get(f"/devices/logs/{review.id}").get_data(as_text=True)
    assert "Implanted: <strong>1</strong>" in page and "Explanted: <strong>0</strong>" in page
    assert page.count("matches the record") == 2


def test_a_large_due_list_export_is_a_background_job_with_its_filters(app, client, login, db,
                                                                       dev):
    from python_calamine import CalamineWorkbook

    from app.jobs.models import Job
    from app.jobs.queue import huey

    dev.plan(dev.device(serial="TH-JOB-LATE"), first_due=clock.today() - timedelta(days=3))
    dev.plan(dev.device(serial="TH-JOB-SOON"), first_due=clock.today() + timedelta(days=4))
    user = dev.people().technician
    db.session.commit()
    login(user)
    app.config["EXPORT_JOB_THRESHOLD_ROWS"] = -1  # every export is "large"
    huey.immediate = True  # the job runs inline, as in tests/jobs
    try:
        page = client.get("/devices/due.xlsx?when=overdue")
        assert (page.status_code, page.mimetype) == (200, "text/html")
        assert "Prepare file" in page.get_data(as_text=True)
        response = client.post("/devices/due.xlsx?when=overdue")
        job = db.session.scalars(select(Job).where(Job.kind == "calibrations_due")).one()
        assert response.headers["Location"] == f"/jobs/{job.id}"
        db.session.refresh(job)
        assert (job.status, job.params) == ("ready", {"when": "overdue",
                                                      "on": clock.today().isoformat()})
        download = client.get(f"/jobs/{job.id}/download")
        book = CalamineWorkbook.from_filelike(io.BytesIO(download.data))
        rows = book.get_sheet_by_index(0).to_python()
        assert [row[2] for row in rows[1:]] == ["TH-JOB-LATE"]
        assert rows[1][1] == 3  # days overdue, counted from the day the export was asked
    finally:
        app.config["EXPORT_JOB_THRESHOLD_ROWS"] = 5000
        huey.immediate = False
