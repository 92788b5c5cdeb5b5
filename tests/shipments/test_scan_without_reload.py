"""The scan forms answer a script's post with JSON (the page stays); without the script the
same post redirects as before. One shared helper (app/core/xhr.py) through perform()."""

from app.shipments.models import Shipment
from tests.shipments.test_views import create_via_form

FETCH = {"X-Requested-With": "fetch", "Accept-Language": "en"}


def ordered(client, login, db, world):
    login(world.logistics)
    sid = create_via_form(client, world)
    client.post(f"/shipments/{sid}/order")
    return sid, db.session.get(Shipment, sid)


def test_a_scripted_scan_answers_json_and_leaves_the_page_in_place(client, login, db, world):
    sid, shipment = ordered(client, login, db, world)
    kit = shipment.lines[0].kit.kit_number
    response = client.post(f"/shipments/{sid}/pick", data={"kit_number": kit}, headers=FETCH)
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "message": f"Kit {kit} picked.",
                                   "next": f"/shipments/{sid}#pick", "field": None,
                                   "errors": {}}
    page = client.get(f"/shipments/{sid}").get_data(as_text=True)
    assert 'id="pick-progress" data-scan-region' in page
    assert "1 of 3 picked." in page


def test_a_refused_scripted_scan_says_why_beside_the_field(client, login, db, world):
    sid, _ = ordered(client, login, db, world)
    response = client.post(f"/shipments/{sid}/pick", data={"kit_number": "NO-SUCH"},
                           headers=FETCH)
    assert response.status_code == 422
    body = response.get_json()
    assert body["ok"] is False and body["field"] == "kit_number"
    assert body["message"] == f"There is no kit NO-SUCH in trial {world.trial.protocol_code}."
    assert body["errors"] == {"kit_number": [body["message"]]}
    response = client.post(f"/shipments/{sid}/pick", data={"kit_number": ""}, headers=FETCH)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"kit_number": ["This field is required."]}


def test_without_the_script_the_scan_still_redirects(client, login, db, world):
    sid, shipment = ordered(client, login, db, world)
    kit = shipment.lines[0].kit.kit_number
    response = client.post(f"/shipments/{sid}/pick", data={"kit_number": kit})
    assert response.status_code == 302 and response.headers["Location"].endswith("#pick")


def test_a_gs1_datamatrix_scan_picks_the_kit_it_names(client, login, db, world):
    sid, shipment = ordered(client, login, db, world)
    kit = shipment.lines[0].kit
    code = f"]d217{kit.expires_on:%y%m%d}10{kit.lot.number}\x1d21{kit.kit_number}"
    response = client.post(f"/shipments/{sid}/pick", data={"kit_number": code}, headers=FETCH)
    assert response.get_json()["message"] == f"Kit {kit.kit_number} picked."
    other = shipment.lines[1].kit
    code = f"]d21729010110{other.lot.number}\x1d21{other.kit_number}"
    body = client.post(f"/shipments/{sid}/pick", data={"kit_number": code},
                       headers=FETCH).get_json()
    assert body["ok"] is False and "the code's expiry" in body["message"]
    assert "Nothing was recorded." in body["message"]


def test_receipt_with_unscanned_kits_asks_first(client, login, db, world):
    from tests.shipments.factories import make_dispatched

    shipment = make_dispatched(db.session, world, 3)
    db.session.commit()
    login(world.site_user)
    page = client.get(f"/shipments/{shipment.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert ('data-confirm="3 kits have not been scanned and will be recorded as missing. '
            'Sign the receipt anyway?"') in page
