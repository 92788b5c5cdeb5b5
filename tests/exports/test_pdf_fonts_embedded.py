"""Every PDF kind the app makes embeds every font it uses (pdffonts lists no "no" under emb).

Built from the demo data through the real download routes: packing list, shipping label,
proof of delivery, Expense Reimbursement Sheet (with image and PDF receipts appended), payment
batch summary, trial summary, accountability log and signed review.
"""

import shutil
import subprocess

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.reimbursement.models import Claim, PaymentBatch
from app.shipments.models import Shipment
from app.stock.models import AccountabilityReview
from app.trials.api import Trial

pytestmark = pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils missing")


def unembedded(path):
    """Return the pdffonts lines of fonts that are not embedded."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    # name, type, encoding, emb, sub, uni, object, ID: the columns are fixed-width.
    header = out[0]
    emb = header.index("emb")
    return [line for line in out[2:] if line[emb:emb + 3].strip() != "yes"]


def login_demo(client, session, name):
    user = session.scalar(select(User).where(User.email == f"{name}@demo.example"))
    with client.session_transaction() as s:
        s["_user_id"] = user.get_id()
        s["_fresh"] = True


def test_every_pdf_kind_embeds_all_its_fonts(client, demo, tmp_path):
    session = demo.session
    received = session.scalars(select(Shipment).where(Shipment.status.in_(
        ("received", "closed", "quarantined")))).first() or session.scalars(
        select(Shipment)).first()
    claims = list(session.scalars(select(Claim)))
    claim = next(c for c in claims if any(r.file.content_type == "application/pdf"
                                          for line in c.lines for r in line.receipts))
    batch = session.scalars(select(PaymentBatch)).first()
    trial = session.scalars(select(Trial)).first()
    review = session.scalars(select(AccountabilityReview)).first()
    urls = {f"/shipments/{received.id}/packing-list.pdf": "logistica",
            f"/shipments/{received.id}/label.pdf": "logistica",
            f"/shipments/{received.id}/proof-of-delivery.pdf": "logistica",
            f"/reimbursement/claims/{claim.id}/sheet.pdf": "finanzas",
            f"/trials/{trial.id}/summary.pdf": "admin",
            f"/stock/accountability/trial/{trial.id}/log.pdf": "monitor"}
    if batch is not None:
        urls[f"/reimbursement/batches/{batch.id}/summary.pdf"] = "finanzas"
    if review is not None:
        urls[f"/stock/accountability/reviews/{review.id}/log.pdf"] = "monitor"
    checked = {}
    for url, name in urls.items():
        login_demo(client, session, name)
        response = client.get(url)
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), url
        path = tmp_path / (url.strip("/").replace("/", "_"))
        path.write_bytes(response.data)
        checked[url] = unembedded(path)
    assert checked == {url: [] for url in urls}
