"""A cell-therapy world: a CAR-T trial, a site, a subject, site and lab users, a shipper."""

from datetime import timedelta

from app.celltherapy.models import DryShipper
from app.core import clock
from app.core.models import utcnow
from tests.factories import make_site, make_subject, make_trial, make_user


def make_world(session):
    """Return a dict with trial, site, subject, site_user, lab, qp and a charged shipper."""
    trial = make_trial(session, kind="cell_therapy")
    site = make_site(session, trial)
    subject = make_subject(session, site)
    shipper = DryShipper(code="DS-TEST-1", id_kind="serial", model_name="CryoShipper",
                         static_hold_hours=240, qualified_until=clock.today() + timedelta(days=90),
                         status="charged", charged_at=utcnow() - timedelta(hours=10),
                         charge_record="11 kg LN2")
    session.add(shipper)
    session.flush()
    return {"trial": trial, "site": site, "subject": subject, "shipper": shipper,
            "site_user": make_user(session, roles=("site",), sites=[site]),
            "lab": make_user(session, roles=("manufacturer",)),
            "qp": make_user(session, roles=("qp",))}
