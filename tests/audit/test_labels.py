"""Audit labels: every key the app writes is declared in both languages, said in words."""

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from flask_babel import force_locale

from app.audit.labels import (
    EntryLabels,
    actor_label,
    declared_action,
    declared_field,
    declared_record_type,
    entity_label,
    humanise,
    value_map,
)
from app.audit.models import AuditEntry
from app.audit.services import Audited, entity_type_of
from app.core.domains import installed
from app.core.states import machines
from app.extensions import db as _db
from tests.audit.labelling import problems_of

APP = Path(__file__).resolve().parents[2] / "app"
LITERAL_ACTION = re.compile(r"record_event\(\s*[\w.]+,\s*\"([a-z_]+)\"")


def audited_models():
    return [m.class_ for m in _db.Model.registry.mappers if issubclass(m.class_, Audited)]


# -- what the app can write -----------------------------------------------------------------
def test_every_audited_record_type_and_column_has_a_label(app):
    keys, types = [], []
    for model in audited_models():
        entity_type = entity_type_of(model)
        types.append((entity_type, entity_type))
        columns = [c.key for c in model.__mapper__.column_attrs
                   if c.key not in model.__audit_ignore__]
        keys += [((entity_type, key), key) for key in (*columns, *model.__audit_collections__)]
    with app.test_request_context():
        assert problems_of(types, declared_record_type) + problems_of(keys, declared_field) == []


def test_every_action_named_in_the_code_or_a_state_machine_has_a_label(app):
    actions = set()
    for path in APP.rglob("*.py"):
        actions |= set(LITERAL_ACTION.findall(path.read_text(encoding="utf-8")))
    fields, states = [], []
    for machine in machines().values():
        entity_type = machine.audit_type or entity_type_of(machine.model)
        actions |= {machine.action_name(t.event) for t in machine.transitions} - {None}
        fields.append(((entity_type, machine.column), machine.column))
        declared = value_map(entity_type, machine.column) or {}
        states += [f"{machine.name}: state {s!r} has no label" for s in machine.states
                   if s not in declared]
    assert {"login", "logout", "iban_revealed", "stock_bulk_load"} <= actions
    with app.test_request_context():
        assert problems_of([(a, a) for a in sorted(actions)], declared_action) + \
            problems_of(fields, declared_field) + states == []


def test_no_two_domains_label_the_same_key_differently(app):
    seen = defaultdict(dict)
    with app.test_request_context(), force_locale("en"):
        for domain in installed():
            for kind in ("audit_actions", "audit_fields", "record_types"):
                for key, label in getattr(domain, kind).items():
                    seen[(kind, key)][domain.name] = str(label)
    clashes = {key: by_domain for key, by_domain in seen.items()
               if len(set(by_domain.values())) > 1}
    assert clashes == {}


# -- the formatting service -----------------------------------------------------------------
def entry(entity_type, changes, action="update", label=None):
    return AuditEntry(entity_type=entity_type, entity_id="1", action=action, entity_label=label,
                      changes=json.dumps(changes))


@pytest.mark.parametrize("language, expected", [
    ("es", ["Estado: Borrador → Pedido", "Llegada prevista: — → 29 nov 2026"]),
    ("en", ["Expected arrival: — → Nov 29, 2026", "Status: Draft → Ordered"]),
])
def test_a_change_is_said_in_words(app, language, expected):
    changed = entry("shipment", {"status": ["draft", "ordered"],
                                 "expected_arrival": [None, "2026-11-29"]})
    with app.test_request_context(), force_locale(language):
        assert EntryLabels().summary(changed).splitlines() == expected


def test_values_are_formatted_for_the_language(app):
    labels = EntryLabels()
    with app.test_request_context(), force_locale("es"):
        assert labels.value("claim", "total_approved", "1234.5") == "1.234,50\xa0€"
        assert labels.value("claim_line", "category", "car_mileage") == "Coche (kilómetros)"
        assert labels.value("lot", "blinded", True) == "Sí"
        assert labels.value("subject", "enrolment_date", "2026-03-01") == "1 mar 2026"
        assert labels.value("claim", "approved_at", "2026-03-01T10:05:00+00:00") == \
            "2026-03-01 10:05:00 UTC"
        assert labels.value("kit", "location_id", None) == "—"
        assert labels.value("user", "role_links", ["admin", "site"]) == \
            "Administrador, Personal del centro"
        # Without a session the referenced record is named by its type and number.
        assert labels.value("kit", "location_id", 12) == "Ubicación #12"
        assert labels.value("signature", "entity_type", "payment_batch") == "Remesa de pago"
        totals = '{"counts": {"receipt": 2}, "on_hand": 2}'
        assert labels.value("accountability_review", "totals", totals) == \
            "Movimientos: (Recepción 2); En existencias: 2"
    with app.test_request_context(), force_locale("en"):
        assert labels.value("claim", "total_approved", "1234.5") == "€1,234.50"
        assert labels.value("product", "units_per_kit", 1200) == "1,200"


def test_a_foreign_key_names_the_record(app, db, make):
    trial = make.trial()
    site = make.site(trial)
    db.session.commit()
    changed = entry("subject", {"site_id": [None, site.id]}, action="create")
    with app.test_request_context(), force_locale("en"):
        labels = EntryLabels(db.session).prefetch([changed])
        assert labels.summary(changed) == f"Site: {trial.protocol_code}-{site.site_number}"


def test_stored_labels_and_unknown_keys_are_said_in_words(app):
    with app.test_request_context(), force_locale("es"):
        assert entity_label("claim_line", "RC-000001 car_mileage") == \
            "RC-000001 Coche (kilómetros)"
        assert entity_label("signature", "payment_batch 1: released") == \
            "Remesa de pago 1: Liberado"
        assert entity_label("user", "admin@demo.example") == "admin@demo.example"
        assert humanise("some_new_field") == "Some new field"




def test_who_acted_is_said_in_words(app):
    with app.test_request_context(), force_locale("es"):
        assert [actor_label(n) for n in ("system", "demo seed", "patient #7", "Ana Ruiz")] == \
            ["Sistema", "Datos de demostración", "Paciente #7", "Ana Ruiz"]
