"""Kit arms live in the blinding package: the unblinded read them there, stock never shows them."""

import io

from openpyxl import load_workbook

from app.blinding.models import KitArm
from app.blinding.services.arms import import_arm_kit_list
from app.stock.services.kit_lists import KitListRefused

SECRET_ARM = "ARM-ZX-SECRET"


def _with_arm(db, kit):
    from app.core.models import utcnow

    db.session.add(KitArm(kit_id=kit.id, arm=SECRET_ARM, recorded_at=utcnow()))
    db.session.flush()


def test_the_arm_is_shown_only_to_the_unblinded_role(client, db, make, stock, login_as):
    trial = make.trial(blinded=True)
    site = make.site(trial)
    kit = stock.make_site_kits(site, 1)[0]
    _with_arm(db, kit)
    db.session.commit()
    login_as("unblinded")
    assert SECRET_ARM in client.get("/blinding/kits").get_data(as_text=True)
    assert SECRET_ARM not in client.get(f"/stock/kits/{kit.id}").get_data(as_text=True)
    for roles in (("logistics",), ("monitor",), ("qp",)):
        login_as(*roles)
        for url in (f"/stock/kits/{kit.id}", "/stock/kits", "/stock/depot",
                    f"/stock/sites/{site.id}", f"/stock/ledger?kit={kit.id}",
                    f"/stock/lots/{kit.lot_id}"):
            response = client.get(url)
            assert SECRET_ARM not in response.get_data(as_text=True), (roles, url)
        assert client.get("/blinding/kits").status_code == 403
    login_as("site", sites=[site])
    assert SECRET_ARM not in client.get(f"/stock/kits/{kit.id}").get_data(as_text=True)
    response = client.get(f"/stock/accountability/site/{site.id}/log.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert not any(SECRET_ARM in c for c in cells)




def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode()


def test_an_unblinded_user_imports_a_kit_list_with_arms(db, make, stock):
    trial = make.trial(blinded=True)
    lot = stock.make_lot(trial=trial, number="BL-1")
    user = make.user(roles=("unblinded",))
    kits = import_arm_kit_list(db.session, trial, stock.make_depot(), csv_bytes(
        "kit number;blinded lot;treatment arm", "K-100;BL-1;A", "K-207;bl-1;B"), "kits.csv",
        user=user)
    assert [k.kit_number for k in kits] == ["K-100", "K-207"]
    assert [db.session.get(KitArm, k.id).arm for k in kits] == ["A", "B"]
    assert kits[0].lot_id == lot.id and kits[0].state == "available"


def test_bad_rows_of_a_kit_list_with_arms_are_all_reported(db, make, stock):
    trial = make.trial(blinded=True)
    stock.make_lot(trial=trial, number="BL-1")
    user = make.user(roles=("unblinded",))
    try:
        import_arm_kit_list(db.session, trial, stock.make_depot(), csv_bytes(
            "kit,lot,arm", "K1,BL-1,", "K2,NOPE,A", "K3,BL-1," + "x" * 41), "k.csv", user=user)
    except KitListRefused as refused:
        lines = refused.lines
    assert lines == [(2, "The treatment arm is missing."), (3, "Lot NOPE is unknown."),
                     (4, "The treatment arm is too long (at most 40 characters).")]
    try:
        import_arm_kit_list(db.session, trial, stock.make_depot(), csv_bytes("kit,lot", "K1,BL-1"),
                            "k.csv", user=user)
    except KitListRefused as refused:
        lines = refused.lines
    assert lines == [(1, "The first line must name the columns: kit number, blinded lot and "
                         "treatment arm.")]
