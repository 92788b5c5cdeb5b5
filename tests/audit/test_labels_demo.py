"""The demo's audit trail: every key has a label in both languages; no screen shows one raw."""

import html
import io
import re
from collections import defaultdict
from collections.abc import Mapping

import pytest
from openpyxl import load_workbook
from sqlalchemy import distinct, select

from app.audit.labels import (
    declared_action,
    declared_field,
    declared_record_type,
    parsed_changes,
    value_map,
)
from app.audit.models import AuditEntry
from app.extensions import db as _db
from tests import factories
from tests.audit.labelling import LANGUAGES, RAW_KEY, problems_of


# -- what the demo writes -------------------------------------------------------------------
def test_every_action_record_type_field_and_value_of_the_demo_has_a_label(app, demo_db):
    session = demo_db.session
    with app.test_request_context():
        actions = session.scalars(select(distinct(AuditEntry.action))).all()
        types = session.scalars(select(distinct(AuditEntry.entity_type))).all()
        fields, values = set(), defaultdict(set)
        for entry in session.scalars(select(AuditEntry)):
            for field, pair in parsed_changes(entry).items():
                fields.add((entry.entity_type, field))
                for value in pair:
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, str):
                            values[(entry.entity_type, field)].add(item)
        assert len(actions) >= 25 and len(types) >= 30 and len(fields) >= 250
        missing = problems_of([(a, a) for a in actions], declared_action)
        missing += problems_of([(t, t) for t in types], declared_record_type)
        missing += problems_of([((t, f), f) for t, f in fields], declared_field)
        for (entity_type, field), seen in values.items():
            declared = value_map(entity_type, field)
            if isinstance(declared, Mapping):
                missing += [f"{entity_type}.{field} = {v!r}: no label" for v in seen
                            if v not in declared]
            else:  # a state or kind nobody declared would show as a raw key
                missing += [f"{entity_type}.{field} = {v!r}: a key without a label"
                            for v in seen if RAW_KEY.fullmatch(v)]
        assert missing == []


# -- the screens and the export --------------------------------------------------------------
def visible_text(page):
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def raw_keys_in(text):
    return sorted(set(RAW_KEY.findall(text)) | ({"{"} if "{" in text else set()))


def log_in(app, language):
    user = factories.make_user(_db.session, roles=("admin",), language=language)
    _db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_audit_screens_of_the_demo_show_no_raw_key(app, demo_db, language):
    client = log_in(app, language)
    entries = demo_db.session.query(AuditEntry).count()
    found = {}
    for page in range(1, -(-entries // 50) + 1):
        response = client.get(f"/audit/?page={page}")
        if keys := raw_keys_in(visible_text(response.get_data(as_text=True))):
            found[f"log page {page}"] = keys
    records = demo_db.session.execute(
        select(AuditEntry.entity_type, AuditEntry.entity_id).distinct()).all()
    by_type = {}
    for entity_type, entity_id in records:
        by_type.setdefault(entity_type, entity_id)
    for entity_type, entity_id in by_type.items():
        response = client.get(f"/audit/history/{entity_type}/{entity_id}")
        assert response.status_code == 200
        if keys := raw_keys_in(visible_text(response.get_data(as_text=True))):
            found[f"history of {entity_type}"] = keys
    assert found == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_audit_export_of_the_demo_shows_no_raw_key(app, demo_db, language):
    client = log_in(app, language)
    response = client.get("/audit/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == demo_db.session.query(AuditEntry).count()
    found = defaultdict(set)
    for row in rows:
        for column in (2, 3, 5, 6, 7):  # user, record type, record, action, changes
            text = str(row[column] or "")
            found[column] |= set(raw_keys_in(text))
            found[column] |= set(re.findall(r"\b(?:None|True|False)\b", text))
    assert {column: keys for column, keys in found.items() if keys} == {}


@pytest.mark.parametrize("path_of", [
    lambda ids: f"/stock/kits/{ids['kit']}",
    lambda ids: f"/shipments/{ids['shipment']}",
    lambda ids: f"/reimbursement/claims/{ids['claim']}",
    lambda ids: f"/trials/{ids['trial']}",
])
def test_record_histories_of_the_demo_show_no_raw_key(app, demo_db, path_of):
    ids = {}
    for entity_type in ("kit", "shipment", "claim", "trial"):
        ids[entity_type] = demo_db.session.scalar(
            select(AuditEntry.entity_id).where(AuditEntry.entity_type == entity_type,
                                               AuditEntry.action != "create")
            .order_by(AuditEntry.id.desc()).limit(1)) or demo_db.session.scalar(
            select(AuditEntry.entity_id).where(AuditEntry.entity_type == entity_type)
            .limit(1))
    for language in LANGUAGES:
        client = log_in(app, language)
        response = client.get(path_of(ids))
        assert response.status_code == 200
        assert raw_keys_in(visible_text(response.get_data(as_text=True))) == []
