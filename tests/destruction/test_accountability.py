"""The site's accountability log shows its kits destroyed at the depot, with the certificate;
a log signed before the destruction never changes."""

import io
import json
import subprocess

from openpyxl import load_workbook
from sqlalchemy import select

from app.stock.models import AccountabilityReview
from app.stock.services import accountability
from tests.destruction.factories import make_executed_batch
from tests.factories import PASSWORD


def _destroyed(db, world):
    return make_executed_batch(db.session, world)


def _signed_review(db, world):
    review = accountability.freeze(db.session, site=world.site, by=world.site_user)
    accountability.sign_review(db.session, review, meaning="submitted", signer=world.site_user,
                               password=PASSWORD)
    db.session.commit()
    return review


def test_the_sites_log_shows_the_kits_destroyed_at_the_depot(db, world, english):
    before = _signed_review(db, world)
    signed_totals = before.totals
    batch = _destroyed(db, world)
    figures = accountability.compute(db.session, site=world.site)
    assert figures.destroyed_elsewhere == 3
    [row] = figures.dispositions
    assert (row.site_number, row.kits, row.place, row.document_ref) == (
        world.site.site_number, 3, world.zone.code, batch.number)
    assert row.day == batch.destroyed_on
    assert row.reference.label == batch.certificate_number
    # Nothing destroyed at the site itself: its own counts are as before.
    assert figures.counts.get("destruction", 0) == 0
    # The log signed before the destruction is unchanged: none of it appears there.
    db.session.refresh(before)
    assert before.totals == signed_totals
    assert json.loads(signed_totals)["destroyed_elsewhere"] == 0
    assert accountability.compute_review(db.session, before).dispositions == []
    # The next frozen log carries them, and its signature binds them.
    after = accountability.freeze(db.session, site=world.site, by=world.site_user)
    assert json.loads(after.totals)["destroyed_elsewhere"] == 3
    assert accountability.compute_review(db.session, after).destroyed_elsewhere == 3


def test_a_log_signed_before_dispositions_existed_shows_as_signed(db, world, english):
    _destroyed(db, world)
    review = accountability.freeze(db.session, site=world.site, by=world.site_user)
    totals = json.loads(review.totals)
    del totals["destroyed_elsewhere"]  # as frozen before this version
    review.totals = json.dumps(totals, sort_keys=True)
    db.session.commit()
    assert accountability.compute_review(db.session, review).dispositions is None


def test_screen_excel_and_pdf_name_the_certificate(client, login, db, world, english,
                                                   tmp_path):
    batch = _destroyed(db, world)
    number, batch_id = batch.certificate_number, batch.id
    kits = sorted(k.kit_number for k in world.kits[:3])
    login(world.monitor)
    base = f"/stock/accountability/site/{world.site.id}"
    page = client.get(base).get_data(as_text=True)
    assert "Final disposition: sent back and destroyed at the depot" in page
    assert f'href="/destruction/batches/{batch_id}#certificate">{number}</a>' in page
    book = load_workbook(io.BytesIO(client.get(base + "/log.xlsx").data), read_only=True)
    rows = list(book["Final disposition"].iter_rows(values_only=True))
    assert rows[0] == ("Line", "Destroyed (UTC)", "Site", "Kit", "Lot", "Place", "Document",
                       "Certificate")
    assert sorted(r[3] for r in rows[1:]) == kits
    assert {(r[2], r[4], r[5], r[6], r[7]) for r in rows[1:]} == {
        (world.site.site_number, world.lot.number, world.zone.code, batch.number, number)}
    summary = dict(book["Summary"].iter_rows(values_only=True))
    assert summary["Sent back and destroyed at the depot"] == 3
    pdf = tmp_path / "log.pdf"
    pdf.write_bytes(client.get(base + "/log.pdf").data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Final disposition: sent back and destroyed at the depot" in text
    line = next(x for x in text.splitlines() if number in x)
    assert line.split() == [batch.destroyed_on.isoformat(), world.site.site_number, "3",
                            world.zone.code, batch.number, number]
    # The trial's log (all sites) carries the same row.
    login(world.logistics)
    page = client.get(f"/stock/accountability/trial/{world.trial.id}").get_data(as_text=True)
    assert f'href="/destruction/batches/{batch_id}#certificate">{number}</a>' in page
    # The site's pharmacist reads the certificate number; the batch (all sites) is not linked.
    login(world.site_user)
    page = client.get(base).get_data(as_text=True)
    assert number in page and f"/destruction/batches/{batch_id}" not in page
    review = db.session.scalars(select(AccountabilityReview)).first()
    assert review is None
