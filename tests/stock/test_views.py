"""Stock screens for each role: what they show, hide, refuse; never a 500."""

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.core import clock
from app.stock.models import Dispensing, Kit, KitReturn, Lot, Product, StockEntry
from app.stock.services.catalog import save_resupply_level, site_location
from app.stock.services.ledger import transition
from app.stock.services.site import propose_kit


def test_depot_stock_shows_expiry_in_words_and_links_numbers(client, db, make, stock,
                                                             login_as):
    trial = make.trial()
    stock.make_kits(trial, 3, expires_on=clock.today() + timedelta(days=40))
    db.session.commit()
    login_as("logistics")
    page = client.get("/stock/depot").get_data(as_text=True)
    assert ('<span class="badge state-warning" data-state="past_dns">Past do-not-ship</span>'
            in page)
    assert "group=available" in page and ">3</a>" in page


def test_site_users_see_only_their_own_sites_and_kits(client, db, make, stock, login_as):
    trial = make.trial()
    mine, theirs = make.site(trial), make.site(trial)
    my_kit = stock.make_site_kits(mine, 1)[0]
    their_kit = stock.make_site_kits(theirs, 1)[0]
    depot_kit = stock.make_kits(trial, 1)[0]
    db.session.commit()
    login_as("site", sites=[mine])
    assert client.get(f"/stock/kits/{my_kit.id}").status_code == 200
    assert client.get(f"/stock/kits/{their_kit.id}").status_code == 404
    assert client.get(f"/stock/kits/{depot_kit.id}").status_code == 404
    assert client.get(f"/stock/sites/{theirs.id}").status_code == 404
    assert client.get("/stock/depot").status_code == 403
    listing = client.get("/stock/sites").get_data(as_text=True)
    assert mine.hospital in listing and theirs.hospital not in listing
    kits = client.get("/stock/kits").get_data(as_text=True)
    assert my_kit.kit_number in kits and their_kit.kit_number not in kits
    ledger = client.get("/stock/ledger").get_data(as_text=True)
    assert my_kit.kit_number in ledger and their_kit.kit_number not in ledger


def test_dispensing_through_the_screen(client, db, make, stock, login_as):
    trial = make.trial()
    visit = make.visit(trial, 3, name="Week 4")
    site = make.site(trial)
    subject = make.subject(site, code="S-SCR-1", enrolment_date=None)
    stock.make_site_kits(site, 2)
    db.session.commit()
    login_as("site", sites=[site])
    url = f"/stock/sites/{site.id}/dispense"
    page = client.get(f"{url}?subject_id={subject.id}&visit_id={visit.id}").get_data(
        as_text=True)
    proposed = propose_kit(db.session, subject)
    assert proposed.kit_number in page
    form = {"subject_id": subject.id, "visit_id": visit.id, "proposed_kit_id": proposed.id}
    response = client.post(url, data={**form, "kit_number": "0000000"})
    assert response.status_code == 200 and b"is not the proposed kit" in response.data
    assert db.session.scalar(select(func.count()).select_from(Dispensing)) == 0
    response = client.post(url, data={**form, "kit_number": proposed.kit_number})
    assert response.status_code == 302
    response = client.post(url, data={**form, "kit_number": proposed.kit_number})
    assert b"scanned twice" in response.data
    dispensing = db.session.scalar(select(Dispensing))
    assert dispensing.subject_id == subject.id and dispensing.visit_id == visit.id


def test_returns_through_the_screen(client, db, make, stock, login_as):
    trial = make.trial()
    visit = make.visit(trial, 1)
    site = make.site(trial)
    subject = make.subject(site, enrolment_date=None)
    user = login_as("site", sites=[site])
    kit = stock.make_site_kits(site, 1)[0]
    from app.stock.services.site import dispense_kit

    dispense_kit(db.session, subject, visit, kit, kit.kit_number, by=user)
    db.session.commit()
    url = f"/stock/sites/{site.id}/returns"
    response = client.post(url, data={"kit_number": "NOPE", "units_returned": 1,
                                      "units_missing": 0, "condition": "unused"})
    assert b"unknown" in response.data
    response = client.post(url, data={"kit_number": kit.kit_number, "units_returned": 20,
                                      "units_missing": 8, "condition": "opened"})
    assert b"Explain the missing units" in response.data
    # The kit's label scanned (GS1 DataMatrix, longer than a kit number) names it too.
    label = (f"]d2010950600013435217{kit.expires_on:%y%m%d}10{kit.lot.number}\x1d21"
             f"{kit.kit_number}")
    response = client.post(url, data={"kit_number": label, "units_returned": 20,
                                      "units_missing": 8, "condition": "opened",
                                      "explanation": "vomited doses"})
    assert response.status_code == 302
    assert db.session.scalar(select(KitReturn.units_missing)) == 8


def test_kit_list_upload_reports_lines_and_imports_nothing(client, db, make, stock, login_as):
    trial = make.trial()
    stock.make_lot(trial=trial, number="UP-1")
    depot = stock.make_depot()
    db.session.commit()
    login_as("logistics")
    data = {"trial_id": trial.id, "location_id": depot.id,
            "file": (io.BytesIO(b"kit,lot\nU1,UP-1\nU1,UP-1\nU2,ZZ\n"), "kits.csv")}
    response = client.post("/stock/kits/upload", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was imported." in page
    assert "Line 3:" in page and "Line 4:" in page and 'id="import-kits"' not in page
    assert db.session.scalar(select(func.count()).where(Kit.trial_id == trial.id)) == 0
    data["file"] = (io.BytesIO(b"kit,lot\nU1,UP-1\nU2,UP-1\n"), "kits.csv")
    response = client.post("/stock/kits/upload", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Preview: nothing is imported yet" in page
    assert db.session.scalar(select(func.count()).where(Kit.trial_id == trial.id)) == 0
    payload = re.search(r'id="payload" name="payload" type="hidden" value="([^"]*)"', page)
    response = client.post("/stock/kits/upload", data={
        "trial_id": trial.id, "location_id": depot.id, "payload": payload.group(1),
        "payload_name": "kits.csv", "action": "import"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).where(Kit.trial_id == trial.id)) == 2


def test_generate_refuses_zero_and_creates_kits(client, db, make, stock, login_as):
    trial = make.trial()
    lot = stock.make_lot(trial=trial)
    depot = stock.make_depot()
    db.session.commit()
    login_as("logistics")
    form = {"trial_id": trial.id, "lot_id": lot.id, "location_id": depot.id}
    for count in (0, -3):
        response = client.post("/stock/kits/generate", data={**form, "count": count})
        assert b"more than zero" in response.data
    assert client.post("/stock/kits/generate", data={**form, "count": 5}).status_code == 302
    assert db.session.scalar(select(func.count()).where(Kit.lot_id == lot.id)) == 5


def test_kit_page_actions_and_reversal(client, db, make, stock, login_as):
    kit = stock.make_kits(make.trial(), 1)[0]
    db.session.commit()
    login_as("logistics")
    page = client.get(f"/stock/kits/{kit.id}").get_data(as_text=True)
    assert "Receipt" in page and "Audit history" in page
    client.post(f"/stock/kits/{kit.id}/action", data={"action": "quarantine",
                                                      "reason": "excursion"})
    db.session.refresh(kit)
    assert kit.state == "quarantined"
    response = client.post(f"/stock/kits/{kit.id}/action", data={"action": "quarantine",
                                                                 "reason": "again"})
    assert response.status_code == 302
    db.session.refresh(kit)
    assert kit.state == "quarantined"
    page = client.get(f"/stock/kits/{kit.id}").get_data(as_text=True)
    assert f"Kit {kit.kit_number} is already Quarantined." in page
    entry_id = db.session.scalar(select(func.max(StockEntry.id)).where(
        StockEntry.kit_id == kit.id))
    client.post(f"/stock/entries/{entry_id}/reverse", data={"reason": "wrong kit"})
    db.session.refresh(kit)
    assert kit.state == "available"


def test_lists_and_reports_answer_for_logistics(client, db, make, stock, login_as):
    trial = make.trial()
    site = make.site(trial)
    stock.make_site_kits(site, 2, expires_on=clock.today() + timedelta(days=20))
    save_resupply_level(db.session, site, 3, 10)
    site_location(db.session, site)
    db.session.commit()
    login_as("logistics")
    for url in ("/stock/products", "/stock/lots", "/stock/kits?group=on_hand&sort=-number",
                "/stock/sites", f"/stock/sites/{site.id}", "/stock/ledger?event=transfer_in",
                "/stock/expiry?days=30", f"/stock/resupply?trial={trial.id}",
                "/stock/products/new", "/stock/lots/new", "/stock/lots/blinded/new",
                f"/stock/trials/{trial.id}/settings", "/stock/kits/generate",
                "/stock/kits/upload", f"/stock/accountability/trial/{trial.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get("/stock/kits?expires_to=not-a-date").status_code == 400
    resupply = client.get(f"/stock/resupply?trial={trial.id}").get_data(as_text=True)
    assert site.hospital in resupply and "At or below the minimum" in resupply  # 0 of 3
    expiry = client.get("/stock/expiry?days=30").get_data(as_text=True)
    assert "Past do-not-dispense" in expiry


def test_products_and_lots_forms(client, db, make, stock, login_as):
    login_as("logistics")
    response = client.post("/stock/products/new", data=dict(
        name="IBX-201", kind="investigational", strength="100 mg", form="Tablet", route="Oral",
        units_per_kit=0, storage_min_c="15", storage_max_c="25"))
    assert response.status_code == 200
    response = client.post("/stock/products/new", data=dict(
        name="IBX-201", kind="investigational", strength="100 mg", form="Tablet", route="Oral",
        units_per_kit=28, storage_min_c="15", storage_max_c="25", gtin="12345678901234"))
    page = response.get_data(as_text=True)
    assert ('<div id="gtin-error" class="invalid-feedback d-block">This GTIN-14 is not valid: '
            '14 digits, the last one the check digit.</div>') in page
    assert 'value="IBX-201"' in page and 'value="12345678901234"' in page  # what was typed
    response = client.post("/stock/products/new", data=dict(
        name="IBX-201", kind="investigational", strength="100 mg", form="Tablet", route="Oral",
        units_per_kit=28, storage_min_c="15", storage_max_c="25"))
    assert response.status_code == 302
    product = db.session.scalar(select(Product).where(Product.name == "IBX-201"))
    past = (clock.today() - timedelta(days=2)).isoformat()
    response = client.post("/stock/lots/new", data=dict(
        number="P-1", product_id=product.id, trial_id=0, expires_on=past, status="released"))
    assert b"in the past" in response.data
    assert db.session.scalar(select(Lot).where(Lot.number == "P-1")) is None


def test_quarantined_kit_shown_and_dispensing_screen_refuses_it(client, db, make, stock,
                                                                login_as):
    trial = make.trial()
    visit = make.visit(trial, 1)
    site = make.site(trial)
    subject = make.subject(site, enrolment_date=None)
    kits = stock.make_site_kits(site, 2)
    transition(db.session, kits[0], "quarantined", "quarantine")
    db.session.commit()
    login_as("site", sites=[site])
    proposed = propose_kit(db.session, subject)
    response = client.post(f"/stock/sites/{site.id}/dispense", data={
        "subject_id": subject.id, "visit_id": visit.id, "proposed_kit_id": proposed.id,
        "kit_number": kits[0].kit_number})
    assert b"Quarantined and cannot be dispensed" in response.data


def test_the_monitor_sees_site_stock_but_not_the_depot(client, db, make, stock, login_as):
    trial = make.trial()
    site = make.site(trial)
    site_kit = stock.make_site_kits(site, 1)[0]
    depot_kit = stock.make_kits(trial, 1)[0]
    db.session.commit()
    login_as("monitor")
    assert client.get("/stock/depot").status_code == 403
    assert client.get(f"/stock/kits/{site_kit.id}").status_code == 200
    assert client.get(f"/stock/kits/{depot_kit.id}").status_code == 404
    ledger = client.get("/stock/ledger").get_data(as_text=True)
    assert site_kit.kit_number in ledger and depot_kit.kit_number not in ledger


def test_garbage_input_is_refused_without_a_500(client, db, make, stock, login_as):
    trial = make.trial()
    visit = make.visit(trial, 1)
    site, other = make.site(trial), make.site(trial)
    subject = make.subject(site, enrolment_date=None)
    kit = stock.make_site_kits(site, 1)[0]
    lot = kit.lot
    db.session.commit()
    login_as("logistics", "site", sites=[site])
    responses = [
        client.post(f"/stock/kits/{kit.id}/action", data={"action": "explode", "reason": "x"}),
        client.post(f"/stock/sites/{site.id}/dispense", data={
            "subject_id": subject.id, "visit_id": visit.id, "proposed_kit_id": "abc",
            "kit_number": kit.kit_number}),
        client.post(f"/stock/sites/{site.id}/dispense", data={"subject_id": "x"}),
        client.post(f"/stock/sites/{other.id}/dispense", data={"subject_id": subject.id}),
        client.post("/stock/kits/upload", data={"trial_id": trial.id}),
        client.post("/stock/kits/generate", data={"trial_id": trial.id, "count": "many"}),
        client.post(f"/stock/resupply/sites/{site.id}", data={f"s{site.id}-minimum": "-1",
                                                              f"s{site.id}-maximum": "0"}),
        client.post(f"/stock/lots/{lot.id}", data={"event": "recall"}),
        client.get("/stock/kits?page=abc&sort=nonsense"),
        client.get("/stock/expiry?days=-4"),
    ]
    # Dispensing at a site that is not the user's is out of scope (404), whatever other role.
    assert [r.status_code for r in responses] == [302, 200, 200, 404, 200, 200, 302, 200, 200,
                                                  200]
    db.session.refresh(kit)
    db.session.refresh(lot)
    assert kit.state == "received" and lot.status == "released"
    response = client.post(f"/stock/lots/{lot.id}", data={"event": "recall",
                                                          "reason": "sponsor recall"})
    assert response.status_code == 302
    db.session.refresh(lot)
    assert lot.status == "recalled"
    login_as("site", sites=[site])  # a pure site user: another site does not exist for them
    assert client.post(f"/stock/sites/{other.id}/dispense",
                       data={"subject_id": subject.id}).status_code == 404


def test_a_kit_that_left_the_pharmacists_site_is_named_without_a_dead_link(
        client, db, make, stock, login_as):
    from app.stock.services.ledger import move_kits

    trial = make.trial()
    site = make.site(trial)
    kept, gone = stock.make_site_kits(site, 2)
    move_kits(db.session, [gone], "in_transit", "transfer_out",
              to_location=stock.make_depot(), document_ref="RET-1")
    db.session.commit()
    login_as("site", sites=[site])
    for url in ("/stock/ledger", f"/stock/sites/{site.id}"):
        page = client.get(url).get_data(as_text=True)
        assert f'/stock/kits/{kept.id}"' in page, url
        assert gone.kit_number in page and f'/stock/kits/{gone.id}"' not in page, url
    assert client.get(f"/stock/kits/{gone.id}").status_code == 404
