"""Two people acting on the same shipment at once: exactly one wins, the other is told."""

import threading

from sqlalchemy.orm import Session

from app.core.errors import DomainError
from app.extensions import db
from app.shipments.models import Shipment
from app.shipments.services.picking import pick_kit, propose_kits
from app.shipments.services.receipt import receive_shipment, scan_at_receipt
from tests.factories import PASSWORD
from tests.shipments.factories import make_dispatched, make_shipment, make_world


def run_together(app, actions):
    """Run each action(session) in its own thread and session; return results or errors."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def work(index, action):
        with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
            with Session(db.engine) as session:
                prepared = action(session)
                barrier.wait()
                try:
                    prepared()
                    session.commit()
                    results[index] = "ok"
                except DomainError as error:
                    session.rollback()
                    results[index] = str(error)

    threads = [threading.Thread(target=work, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_coordinators_pick_the_same_kit(race_app):
    with race_app.app_context(), race_app.test_request_context():
        world = make_world(db.session, kits=2)
        shipment = make_shipment(db.session, world, requested=1)
        propose_kits(db.session, shipment)
        db.session.commit()
        ids = (shipment.id, shipment.lines[0].kit.kit_number, world.logistics.id)
        db.session.remove()

    def picker(session):
        from app.auth.models import User

        mine = session.get(Shipment, ids[0])
        user = session.get(User, ids[2])
        _ = mine.lines, mine.trial  # load before the start line
        return lambda: pick_kit(session, mine, ids[1], by=user)

    results = run_together(race_app, [picker, picker])
    assert sorted(results, key=lambda r: r != "ok")[0] == "ok"
    assert results.count("ok") == 1
    loser = next(r for r in results if r != "ok")
    assert "picked by someone else" in loser or "changed by someone else" in loser


def test_two_site_users_sign_the_same_receipt(race_app):
    from app.shipments.services.logger import attach_logger_file
    from tests.shipments.test_receipt import csv_in_range

    with race_app.app_context(), race_app.test_request_context():
        world = make_world(db.session, kits=2)
        shipment = make_dispatched(db.session, world, requested=2, logger_ids="LG")
        attach_logger_file(db.session, shipment, csv_in_range(), filename="a.csv",
                           serial="LG")
        for line in shipment.lines:
            scan_at_receipt(db.session, shipment, line.kit.kit_number, "ok",
                            by=world.site_user)
        db.session.commit()
        ids = (shipment.id, world.site_user.id)
        db.session.remove()

    def receiver(session):
        from app.auth.models import User

        mine = session.get(Shipment, ids[0])
        user = session.get(User, ids[1])
        _ = [line.kit for line in mine.lines], mine.logger_uploads, mine.destination
        return lambda: receive_shipment(session, mine, by=user, password=PASSWORD,
                                        logger_confirmed=True)

    results = run_together(race_app, [receiver, receiver])
    assert results.count("ok") == 1, results
    loser = next(r for r in results if r != "ok")
    # The loser is refused either by the receipt's conditional update or, when its signature
    # reached the database first, by the one-signature-per-meaning-and-role rule.
    assert ("was changed by someone else a moment ago" in loser
            or "already signed with the meaning “Received” by someone in the same role" in loser
            ), loser
    with race_app.app_context():
        shipment = db.session.get(Shipment, ids[0])
        assert shipment.status == "received"
        assert {line.kit.state for line in shipment.lines} == {"received"}
        db.session.remove()
