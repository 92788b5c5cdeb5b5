"""Defect 4 of issue 10: logger data from outside the shipment's journey, or another logger."""

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.notify.models import Notice
from app.shipments.models import LoggerUpload
from app.shipments.services.logger import attach_logger_file
from app.shipments.services.plausibility import journey
from app.stock.api import Kit
from tests.shipments.factories import make_dispatched, sample_logger

pytestmark = pytest.mark.usefixtures("english")
README_SAMPLE = (Path(__file__).parent / "data" / "logger_excursion.csv").read_bytes()


def _when(moment):
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def test_the_readme_sample_of_march_is_refused_for_a_shipment_dispatched_today(db, world):
    shipment = make_dispatched(db.session, world, logger_ids="LG-2041")
    notices = db.session.scalar(select(func.count()).select_from(Notice))
    with pytest.raises(DomainError) as refused:
        attach_logger_file(db.session, shipment, README_SAMPLE, filename="lg.csv",
                           serial="LG-2041", by=world.site_user)
    start, end = journey(shipment)
    assert (str(refused.value), refused.value.field) == (
        f"The file covers 2026-03-02 08:00 UTC to 2026-03-03 13:55 UTC; shipment "
        f"{shipment.number} travelled from {_when(start)} to {_when(end)} (packing to "
        "receipt, with a margin of 12 hours). Upload the file of this journey, or QA may "
        "accept this one with a reason.", "file")
    # nothing stored, no excursion, no alert, no quarantine
    assert db.session.scalar(select(func.count()).select_from(LoggerUpload)) == 0
    assert shipment.minutes_out == 0
    assert db.session.scalar(select(func.count()).select_from(Notice)) == notices
    assert db.session.scalar(select(func.count()).where(Kit.state == "quarantined")) == 0
    # only QA may accept it, with a reason
    with pytest.raises(DomainError, match="Only QA may accept"):
        attach_logger_file(db.session, shipment, README_SAMPLE, filename="lg.csv",
                           serial="LG-2041", by=world.site_user, accept_reason="late file")
    upload, report = attach_logger_file(
        db.session, shipment, README_SAMPLE, filename="lg.csv", serial="LG-2041", by=world.qp,
        accept_reason="The courier's logger clock was never set; checked with the courier.")
    assert upload.accepted_reason.startswith("The courier's logger clock")
    assert upload.accepted_by_id == world.qp.id
    assert upload.file_sha256 == hashlib.sha256(README_SAMPLE).hexdigest()  # kept as uploaded


def test_a_file_of_another_logger_is_refused(db, world):
    shipment = make_dispatched(db.session, world, logger_ids="LG-1")
    data = sample_logger(start=shipment.packed_at, serial="LG-7777")
    with pytest.raises(DomainError) as refused:
        attach_logger_file(db.session, shipment, data, filename="lg.csv", serial="LG-1",
                           by=world.site_user)
    assert (str(refused.value), refused.value.field) == (
        "The file comes from logger LG-7777; this shipment carries LG-1. Upload the file of "
        "this shipment's logger.", "file")
    good = sample_logger(start=shipment.packed_at, serial="LG-1")
    with pytest.raises(DomainError, match="outside|covers"):  # 30 hours: beyond today + 12 h
        attach_logger_file(db.session, shipment, good, filename="lg.csv", serial="LG-1",
                           by=world.site_user)


def test_a_file_within_the_journey_is_stored(db, world):
    from tests.shipments.factories import journey_started

    shipment = journey_started(db.session, make_dispatched(db.session, world))
    upload, report = attach_logger_file(db.session, shipment, sample_logger(serial="LG-1"),
                                        filename="lg.csv", serial="LG-1", by=world.site_user)
    assert upload.accepted_reason is None and report.minutes_out == 65.0
