"""Installed kit rules narrow the kits proposed and refuse scanned kits, for both uses."""

from datetime import timedelta

import pytest
from sqlalchemy import or_

from app.core import clock
from app.core.domains import REGISTRY
from app.core.errors import DomainError
from app.stock.api import Kit, KitUse, check_kit_rules, eligible_kits


class OddKitsOnly:
    """A rule that allows kits whose number ends in an odd digit, recording every use."""

    def __init__(self):
        self.uses = []

    def restrict(self, stmt, use):
        self.uses.append(use.purpose)
        return stmt.where(or_(*(Kit.kit_number.like(f"%{digit}") for digit in "13579")))

    def refuse(self, session, kit, use):
        self.uses.append(use.purpose)
        if int(kit.kit_number[-1]) % 2 == 0:
            raise DomainError(f"kit {kit.kit_number} is even", "kit_number")


@pytest.fixture
def odd_rule():
    rule = OddKitsOnly()
    REGISTRY.kit_rules.append(rule)
    yield rule
    REGISTRY.kit_rules.remove(rule)


def test_rule_narrows_proposal_and_refuses_scan(db, make, stock, odd_rule):
    trial = make.trial()
    depot = stock.make_depot()
    kits = stock.make_kits(trial, 6, depot=depot, prefix="R-", expires_on=clock.today() + timedelta(days=300))
    everything = eligible_kits(db.session, trial, [depot.id])
    assert odd_rule.uses == []  # no use given: no rule consulted
    use = KitUse("ship", trial)
    narrowed = eligible_kits(db.session, trial, [depot.id], use=use)
    odd = [k for k in everything if int(k.kit_number[-1]) % 2 == 1]
    even = [k for k in everything if int(k.kit_number[-1]) % 2 == 0]
    assert len(everything) == len(kits) and odd and even
    assert [k.kit_number for k in narrowed] == [k.kit_number for k in odd]
    assert odd_rule.uses == ["ship"]
    with pytest.raises(DomainError, match=f"kit {even[0].kit_number} is even"):
        check_kit_rules(db.session, even[0], KitUse("dispense", trial))
    check_kit_rules(db.session, odd[0], use)
    assert odd_rule.uses == ["ship", "dispense", "ship"]
