"""Label runs: a PDF whose DataMatrix a real decoder reads back, every label recorded."""

import subprocess
from datetime import date

import biip
import pytest
from pypdf import PdfReader

from app.core.errors import DomainError
from app.extensions import db as _db
from app.files.services import read_bytes
from app.jobs.models import Job
from app.labelling.models import LabelPrint
from app.labelling.services.runs import close_run, request_run
from app.labelling.services.templates import validate
from tests.labelling.factories import GTIN, OUTER_ES, run_job
from tests.labelling.scanner import decode_pages


@pytest.fixture
def released(db, make, lab):
    trial = lab.make_trial(protocol_code="ONC-2024-017")
    qp = make.user(roles=("qp",))
    logistics = make.user(roles=("logistics",))
    _record, lot, kits = lab.make_imported_lot(trial, kits=3, number="LOT-A1",
                                               expires_on=date(2027, 12, 31))
    lab.certify_and_release(lot, qp)
    template = lab.make_template(trial, approve_by=qp)
    return trial, lot, kits, template, qp, logistics


def test_outer_template_holds_all_twelve_particulars(db, lab, released):
    template = released[3]
    checks = validate(template)
    assert [(c.letter, c.required, c.present) for c in checks] == [
        (letter, True, True) for letter in "abcdefghijkl"]


def test_a_roll_run_prints_decodable_gs1_datamatrix_labels(db, released, tmp_path):
    trial, lot, kits, template, _qp, logistics = released
    run = request_run(db.session, trial, {"template_id": template.id, "scope": "lot",
                                          "lot_id": lot.id, "layout": "roll"}, logistics)
    job = run_job(db.session, logistics, run)
    assert (job.status, run.status, run.printed) == ("ready", "printed", 3)
    assert job.file.content_type == "application/pdf"
    data = read_bytes(job.file)
    reader = PdfReader(__import__("io").BytesIO(data))
    assert len(reader.pages) == 3
    text = reader.pages[0].extract_text()
    hri = "".join(text.split("\n")[-3:]).replace(" ", "")
    first = sorted(kits, key=lambda k: k.kit_number)[0]
    for line in ("XYZ-123 10 mg o placebo", "Lote: LOT-A1", "Código del ensayo: ONC-2024-017",
                 f"Kit n.º {first.kit_number}", "Caducidad: 12/2027",
                 "Exclusivamente para uso en ensayos clínicos."):
        assert line in text
    assert hri == f"(01){GTIN}(17)271231(10)LOT-A1(21){first.kit_number}(7240)ONC-2024-017"
    symbols = decode_pages(data, tmp_path)
    assert len(symbols) == 3
    fonts = subprocess.run(["pdffonts", str(tmp_path / "labels.pdf")], capture_output=True,
                           text=True, check=True).stdout.splitlines()[2:]
    # Every font embedded (name, then the "emb" column), and no Helvetica.
    assert [(row.split()[0][7:], row.split()[-5]) for row in fonts] == [
        ("DejaVuSans", "yes"), ("DejaVuSans-Bold", "yes")]
    decoded = {}
    for symbol in symbols:
        assert symbol.symbology_identifier == "]d2"
        message = biip.parse(symbol.symbology_identifier + symbol.text).gs1_message
        get = message.element_strings.get
        assert get(ai="01").gtin.value == GTIN and get(ai="01").gtin_error is None
        assert get(ai="17").date == date(2027, 12, 31)
        assert get(ai="10").value == "LOT-A1"
        assert get(ai="7240").value == "ONC-2024-017"
        decoded[get(ai="21").value] = symbol
    assert sorted(decoded) == sorted(k.kit_number for k in kits)
    prints = db.session.query(LabelPrint).filter_by(run_id=run.id).all()
    assert sorted((p.kit_id, p.template_version) for p in prints) == sorted(
        (k.id, 1) for k in kits)


def test_an_a4_run_tiles_labels_with_crop_marks(db, released, tmp_path):
    trial, lot, kits, template, _qp, logistics = released
    run = request_run(db.session, trial, {"template_id": template.id, "scope": "lot",
                                          "lot_id": lot.id, "layout": "a4"}, logistics)
    job = run_job(db.session, logistics, run)
    data = read_bytes(job.file)
    reader = PdfReader(__import__("io").BytesIO(data))
    assert len(reader.pages) == 1
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]
    assert len(decode_pages(data, tmp_path)) == 3


def test_reconciliation_needs_a_reason_for_a_difference(db, released):
    trial, lot, _kits, template, _qp, logistics = released
    run = request_run(db.session, trial, {"template_id": template.id, "scope": "lot",
                                          "lot_id": lot.id, "layout": "roll"}, logistics)
    run_job(db.session, logistics, run)
    with pytest.raises(DomainError) as refused:
        close_run(db.session, run, {"applied": 2, "spoiled": 0, "destroyed": 0}, logistics)
    assert (str(refused.value), refused.value.field) == (
        "3 labels were printed and 2 are accounted for: give the reason for the difference "
        "to close the run.", "reason")
    assert run.status == "printed"
    close_run(db.session, run, {"applied": 2, "spoiled": 1, "destroyed": 0}, logistics)
    assert (run.status, run.applied, run.spoiled) == ("closed", 2, 1)


def test_text_that_does_not_fit_is_refused_and_nothing_printed(db, lab, released):
    trial, lot, _kits, _template, qp, logistics = released
    small = dict(OUTER_ES, name="Too small", width_mm=70, height_mm=40)
    with pytest.raises(DomainError) as refused:
        lab.make_template(trial, small)
    assert str(refused.value).startswith("The text does not fit the 70 × 40 mm label")
    assert refused.value.field == "font_size"


def test_an_unapproved_template_or_a_bad_gtin_prints_nothing(db, lab, make, released):
    trial, lot, _kits, _template, qp, logistics = released
    draft = lab.make_template(trial, dict(OUTER_ES, name="Draft"))
    with pytest.raises(DomainError, match="is not approved by QA"):
        request_run(db.session, trial, {"template_id": draft.id, "scope": "lot",
                                        "lot_id": lot.id}, logistics)
    lot.product.gtin = "08412345678904"
    with pytest.raises(DomainError) as refused:
        request_run(db.session, trial, {"template_id": _template.id, "scope": "lot",
                                        "lot_id": lot.id}, logistics)
    assert str(refused.value) == ("The product's GTIN 08412345678904 is not a valid GTIN-14 "
                                  "(14 digits, the last one the check digit).")
    assert _db.session.query(Job).count() == 0


def test_a_run_longer_than_a_part_is_joined_into_one_pdf(db, released, tmp_path, monkeypatch):
    from app.labelling.services import render

    trial, lot, kits, template, _qp, logistics = released
    monkeypatch.setattr(render, "PART_PAGES", 1)  # three parts of one page, joined by qpdf
    run = request_run(db.session, trial, {"template_id": template.id, "scope": "lot",
                                          "lot_id": lot.id, "layout": "roll"}, logistics)
    job = run_job(db.session, logistics, run)
    data = read_bytes(job.file)
    assert len(PdfReader(__import__("io").BytesIO(data)).pages) == 3
    serials = sorted(biip.parse(s.symbology_identifier + s.text).gs1_message.element_strings
                     .get(ai="21").value for s in decode_pages(data, tmp_path))
    assert serials == sorted(k.kit_number for k in kits)
