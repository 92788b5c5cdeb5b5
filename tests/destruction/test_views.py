"""The screens on the test client: the journey from return to certificate, refusals as typed."""

from datetime import timedelta

from sqlalchemy import select

from app.core import clock
from app.destruction.models import Authorisation, DestructionBatch, Reconciliation
from app.destruction.services.returns import declare_returned_kit
from app.jobs.queue import huey
from tests.destruction.factories import PDF, dispatch_return, make_return
from tests.factories import PASSWORD


def post(client, url, data=None, **kwargs):
    response = client.post(url, data=data or {}, follow_redirects=True, **kwargs)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def sign(password=PASSWORD, meaning="verified"):
    return {"password": password, "meaning": meaning, "confirm": "y"}


def test_journey_on_the_screens(client, login, db, world, english):
    huey.immediate = True
    shipment = make_return(db.session, world, scan=False)
    db.session.commit()
    login(world.site_user)
    page = post(client, f"/destruction/returns/{shipment.id}/scan",
                {"kit_number": "NOPE", "condition": "unused"})
    assert "There is no kit NOPE in trial" in page and 'value="NOPE"' in page
    page = post(client, f"/destruction/returns/{shipment.id}/scan",
                {"kit_number": world.kits[0].kit_number, "condition": "partly_used",
                 "units_remaining": "10"})
    assert f"Kit {world.kits[0].kit_number}: Partly used (units remaining)." in page
    shipment = db.session.get(type(shipment), shipment.id)
    for kit, condition in ((world.kits[1], "damaged"), (world.kits[2], "expired")):
        declare_returned_kit(db.session, shipment, kit.kit_number, condition,
                             by=world.site_user)
    dispatch_return(db.session, world, shipment)
    db.session.commit()
    login(world.logistics)
    assert shipment.number in client.get("/destruction/").get_data(as_text=True)
    for kit in world.kits[:3]:
        post(client, f"/destruction/returns/{shipment.id}/receipt-scan",
             {"kit_number": kit.kit_number, "outcome": "ok"})
    page = post(client, f"/destruction/returns/{shipment.id}/receive", sign(meaning="received"))
    assert ("Return received: 3 kits in good condition, 0 damaged, 0 missing; 0 differences "
            "opened.") in page
    today = clock.today()
    post(client, "/destruction/reconciliations/new", {
        "site_id": world.site.id, "period_start": (today - timedelta(days=30)).isoformat(),
        "period_end": today.isoformat()})
    rec = db.session.scalar(select(Reconciliation).order_by(Reconciliation.id.desc()))
    page = post(client, f"/destruction/reconciliations/{rec.id}/close")
    assert "Explain every difference before closing: 1 still without an explanation." in page
    key = __import__("app.destruction.services.reconciliation", fromlist=["x"]) \
        .unexplained(rec)[0]["key"]
    post(client, f"/destruction/reconciliations/{rec.id}/explain/{key}",
         {"explanation": "Lost at home"})
    assert "Reconciliation closed" in post(client, f"/destruction/reconciliations/{rec.id}/close")
    login(world.monitor)
    page = post(client, f"/destruction/reconciliations/{rec.id}/verify", sign("bad"))
    assert "The password is not correct." in page
    assert "Reconciliation verified" in post(client, f"/destruction/reconciliations/{rec.id}/verify",
                                             sign())
    login(world.logistics)
    form = {"trial_id": world.trial.id, "reference": "SP-DEST-1", "signed_by": "Dr. Sponsor",
            "signed_on": today.isoformat(), "sponsor_email": "sponsor@example.com",
            "valid_from": today.isoformat(),
            "valid_until": (today - timedelta(days=1)).isoformat(), "reconciliation_id": 0}
    page = post(client, "/destruction/authorisations/new",
                {**form, "document": (__import__("io").BytesIO(PDF), "a.pdf")},
                content_type="multipart/form-data")
    assert "The end date cannot be before the start date." in page and "SP-DEST-1" in page
    form["valid_until"] = ""
    post(client, "/destruction/authorisations/new",
         {**form, "document": (__import__("io").BytesIO(PDF), "a.pdf")},
         content_type="multipart/form-data")
    auth = db.session.scalar(select(Authorisation).where(Authorisation.reference == "SP-DEST-1"))
    post(client, "/destruction/batches/new", {
        "authorisation_id": auth.id, "site_id": 0, "method": "incineration",
        "contractor": "Ecolab", "contractor_licence": "GR-1", "place": "Getafe",
        "destroyed_on": today.isoformat(), "weight_kg": "1.2"})
    batch = db.session.scalar(select(DestructionBatch))
    page = post(client, f"/destruction/batches/{batch.id}/kits", {"kit_numbers": ""})
    assert "3 kits added." in page
    page = post(client, f"/destruction/batches/{batch.id}/witness",
                sign(meaning="witnessed_destruction"))
    assert "Signed as witness." in page
    page = post(client, f"/destruction/batches/{batch.id}/execute", sign(meaning="performed"))
    assert "The witness cannot also be the responsible person" in page
    login(world.qp)
    page = post(client, f"/destruction/batches/{batch.id}/execute", sign(meaning="performed"))
    assert "Batch executed" in page
    post(client, f"/destruction/batches/{batch.id}/certificate")
    db.session.expire_all()
    batch = db.session.get(DestructionBatch, batch.id)
    assert batch.certificate_sha256
    response = client.get(f"/destruction/batches/{batch.id}/certificate")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    login(world.logistics)
    assert "Certificate queued for the sponsor" in post(
        client, f"/destruction/batches/{batch.id}/send")


def test_other_sites_see_nothing(client, login, db, world, make):
    other = make.user(roles=("site",), sites=[make.site()])
    shipment = make_return(db.session, world)
    db.session.commit()
    login(other)
    assert client.get(f"/destruction/returns/{shipment.id}").status_code == 404
