"""Out-of-tolerance impact: what a device (or a reference standard) may have affected."""

import json

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.core.states import apply_transition
from app.devices.models import CalibrationRecord, ImpactAssessment, RecordStandard
from app.devices.queries import event_counts, impact_shipments
from app.devices.services.calibration import role_of
from app.devices.states import IMPACT
from app.esign.services import sign
from app.notify.services import tell, users_with_roles


def previous_good(session, record):
    """Return the device's last good calibration before this record, or None."""
    return session.scalar(select(CalibrationRecord).where(
        CalibrationRecord.device_id == record.device_id, CalibrationRecord.id != record.id,
        CalibrationRecord.status == "authorised",
        CalibrationRecord.as_left_result.in_(("pass", "conditional_pass")),
        CalibrationRecord.calibrated_on < record.calibrated_on)
        .order_by(CalibrationRecord.calibrated_on.desc(), CalibrationRecord.id.desc()).limit(1))


def window(session, record):
    """Return (since, until): from the last good calibration to the failed one."""
    last = previous_good(session, record)
    return (last.calibrated_on if last else None), record.calibrated_on


def calibrated_with(session, standard_id, since, until):
    """Return a select of the records a standard took part in between two days."""
    stmt = (select(CalibrationRecord).join(RecordStandard,
                                           RecordStandard.record_id == CalibrationRecord.id)
            .where(RecordStandard.standard_id == standard_id,
                   CalibrationRecord.calibrated_on <= until)
            .order_by(CalibrationRecord.calibrated_on, CalibrationRecord.id))
    if since is not None:
        stmt = stmt.where(CalibrationRecord.calibrated_on >= since)
    return stmt


def open_impact(session, record):
    """Open the impact assessment of an out-of-tolerance finding and tell QA and the sponsor."""
    since, until = window(session, record)
    counts = event_counts(session, record.device_id, since, until)
    counts["shipments"] = len(impact_shipments(session, record.device, since, until))
    if record.device.model.kind == "reference":
        counts["devices_calibrated"] = session.scalar(select(func.count()).select_from(
            calibrated_with(session, record.device_id, since, until)
            .where(CalibrationRecord.id != record.id).subquery())) or 0
    impact = ImpactAssessment(device_id=record.device_id, record_id=record.id, since=since,
                              until=until, status="open",
                              summary=json.dumps(counts, sort_keys=True))
    session.add(impact)
    session.flush()
    serial, certificate = record.device.serial, record.certificate_number
    device = record.device
    users = users_with_roles(session, ("qp",))
    users += [u for u in users_with_roles(session, ("monitor",))
              if device.site_id is None or device.site_id in u.site_ids or not u.site_ids]
    # An account limited to some sponsors hears only of its trials' devices (as its list).
    users = [u for u in users if u.sponsor_trials() is None
             or device.trial_id in u.sponsor_trials()]

    def compose():
        return (_("Device %(serial)s found out of tolerance", serial=serial),
                _("Calibration %(certificate)s found device %(serial)s out of tolerance. "
                  "Every use since its last good calibration is listed for an impact "
                  "assessment.", certificate=certificate, serial=serial))

    tell(session, users, compose, f"/devices/impacts/{impact.id}")
    return impact


def close(session, impact, *, decision, conclusion, signer, password):
    """QA closes the assessment with a decision, a conclusion and an e-signature."""
    if not (conclusion or "").strip():
        raise DomainError(_("Write the conclusion of the assessment."), "conclusion")
    impact.decision, impact.conclusion = decision, conclusion.strip()
    session.flush()
    signature = sign(session, impact, meaning="approved", signer=signer, password=password,
                     role=role_of(signer))
    apply_transition(session, IMPACT, impact, "close", by=signer, signature=signature,
                     values={"closed_by_id": signer.id})
    return impact


def figures(impact):
    """Return the counts frozen when the assessment was opened."""
    return json.loads(impact.summary or "{}")
