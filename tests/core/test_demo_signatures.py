"""Every e-signature of the demo still matches its record: no signed content drifts when it is
read back from the database (a decimal typed "1.8" and stored as "1.800", for instance)."""

from sqlalchemy import select

from app.audit.labels import _models
from app.esign.models import Signature
from app.esign.services import signature_is_current


def test_every_demo_signature_matches_its_record(demo):
    session = demo.session
    session.expire_all()  # read every record back as the database keeps it
    models = _models()[0]
    signatures = session.scalars(select(Signature)).all()
    assert len(signatures) >= 10
    drifted = []
    for signature in signatures:
        record = session.get(models[signature.entity_type], int(signature.entity_id))
        if not signature_is_current(signature, record):
            drifted.append((signature.entity_type, signature.entity_id, signature.meaning))
    assert drifted == [], drifted
