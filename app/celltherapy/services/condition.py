"""Chain of condition: logger data per leg, excursions above the product's limit, QA."""

from flask_babel import gettext as _

from app.celltherapy.models import LEG_LIMIT_C, ConditionLeg
from app.coldchain.excursions import analyse
from app.coldchain.logger import MAX_LOGGER_BYTES, LoggerFileError, parse_logger_csv
from app.core.errors import DomainError
from app.core.models import utcnow
from app.esign.services import sign
from app.files.services import FileRefused, store_bytes

# The coldest a reading may be (liquid nitrogen vapour is -196 °C); only the top limit counts.
FLOOR_C = -200.0
LEG_OPEN = {"to_lab": ("to_lab", "at_lab", "manufacturing", "out_of_spec", "released",
                       "failed"),
            "to_site": ("to_site", "received", "stored", "thawed", "infused")}


def attach_logger(session, order, *, leg, serial, filename, data, by):
    """Read the leg's logger file with the shared reader, judge it and keep it."""
    if order.status not in LEG_OPEN.get(leg, ()):
        raise DomainError(_("This leg has not started yet."), "leg")
    if not (serial or "").strip():
        raise DomainError(_("Enter the logger's serial number."), "serial")
    try:
        parsed = parse_logger_csv(data)  # the shared reader (issue 11 owns its formats)
    except LoggerFileError as error:
        details = "; ".join(_("line %(n)s: %(problem)s", n=line, problem=problem)
                            if line else str(problem) for line, problem in error.problems[:3])
        raise DomainError(f"{error} {details}".strip(), "file") from error
    limit = LEG_LIMIT_C[leg]
    report = analyse(parsed.times, parsed.temperatures, FLOOR_C, float(limit))
    try:
        stored = store_bytes(session, data, original_name=filename, allowed_types={"text/csv"},
                             max_bytes=MAX_LOGGER_BYTES, uploaded_by=by)
    except FileRefused as error:
        raise LoggerFileError(str(error)) from error
    record = ConditionLeg(
        order_id=order.id, leg=leg, logger_serial=serial.strip(), stored_file_id=stored.id,
        readings=report.readings, first_at=report.first_at, last_at=report.last_at,
        min_c=report.min_c, max_c=report.max_c, limit_c=limit, minutes_out=report.minutes_out,
        qa_status="pending" if report.has_excursion else "none", uploaded_by_id=by.id)
    session.add(record)
    session.flush()
    if report.has_excursion:
        tell_excursion(session, order, record)
    return record


def tell_excursion(session, order, leg):
    """Tell QA that a leg went above the product's limit."""
    from app.notify.services import tell, users_with_roles

    def compose():
        return (_("Temperature excursion on %(coi)s", coi=order.reference),
                _("The logger of the leg “%(leg)s” read up to %(max)s °C, above the limit of "
                  "%(limit)s °C, for %(minutes)s minutes. Decide whether the product may be "
                  "used.", leg=leg.leg_label, max=leg.max_c, limit=leg.limit_c,
                  minutes=leg.minutes_out))

    tell(session, users_with_roles(session, ["qp"], trial_id=order.trial_id), compose,
         f"/cell-therapy/orders/{order.id}")


def decide(session, leg, *, accept, reason, by, password):
    """QA accepts or rejects the product after an excursion (reason, e-signature)."""
    if leg.qa_status != "pending":
        raise DomainError(_("This leg does not wait for a QA decision."))
    if not (reason or "").strip():
        raise DomainError(_("Give a reason."), "reason")
    leg.qa_status = "accepted" if accept else "rejected"
    leg.qa_reason = reason.strip()
    leg.qa_by_id = by.id
    leg.qa_at = utcnow()
    session.flush()
    sign(session, leg, meaning="approved" if accept else "rejected", signer=by,
         password=password)
    return leg
