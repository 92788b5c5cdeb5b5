"""Say audit entries in words: actions, record types, fields, values and change summaries.

The labels come from what each domain declares in its ``registration.py`` (merged in
``REGISTRY``); values are read through the record's model column where one exists (yes/no,
dates, numbers, the referenced record's label for a foreign key). A key nobody declared falls
back to a humanised form ("car_mileage" -> "Car mileage"); the tests prove no known key does.
"""

import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, Numeric, select

from app.core.domains import REGISTRY
from app.core.templating import local_date, number, utc_datetime

EMPTY = "—"
ARROW = "→"
# Who acted when nobody was logged in (written by the audit path and the demo command).
SYSTEM_ACTORS = {"system": _l("System"), "demo seed": _l("Demo data")}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_PREFETCH_CHUNK = 500


def humanise(key):
    """Return a readable form of an undeclared key: 'car_mileage' -> 'Car mileage'."""
    text = str(key or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def per_type(record_type, /, **labels):
    """Return {(record type, field): label} for a domain's registration."""
    return {(record_type, field): label for field, label in labels.items()}


class RecordTypeNames(Mapping):
    """The declared record type labels as a value map (a signature names what it signs)."""

    def __getitem__(self, key):
        return REGISTRY.record_types[key]

    def __iter__(self):
        return iter(REGISTRY.record_types)

    def __len__(self):
        return len(REGISTRY.record_types)


RECORD_TYPE_NAMES = RecordTypeNames()


# -- the declared labels, or None ---------------------------------------------------------------
def declared_action(action):
    """Return the declared label of an audit action, or None."""
    return REGISTRY.audit_actions.get(action)


def declared_record_type(entity_type):
    """Return the declared label of a record type, or None."""
    return REGISTRY.record_types.get(entity_type)


def declared_field(entity_type, field):
    """Return the declared label of a field of a record type, or None."""
    fields = REGISTRY.audit_fields
    return fields.get((entity_type, field)) or fields.get(field)


def value_map(entity_type, field):
    """Return the declared values of a field: a {value: label} map, a formatter, or None."""
    return REGISTRY.audit_values.get((entity_type, field))


# -- labels with the humanised fallback -------------------------------------------------------
def action_label(action):
    """Return the label of an audit action in the current language."""
    return str(declared_action(action) or humanise(action))


def record_type_label(entity_type):
    """Return the label of a record type in the current language."""
    return str(declared_record_type(entity_type) or humanise(entity_type))


def field_label(entity_type, field):
    """Return the label of a changed field in the current language."""
    return str(declared_field(entity_type, field) or humanise(field))


def _declared_value(entity_type, field, value):
    return str(value_map(entity_type, field)[value])


def actor_label(user_name):
    """Return who acted: the system and the demo loader in words, patients as 'Patient #7'."""
    if not user_name:
        return ""
    if user_name in SYSTEM_ACTORS:
        return str(SYSTEM_ACTORS[user_name])
    return entity_label("user", user_name)


def entity_label(entity_type, label):
    """Return a record's stored label with any declared value in it said in words.

    Labels are stored as written ("RC-000001 car_mileage", "payment_batch 1: released") so
    the hash chain never depends on a language; the words are put in when read.
    """
    if not label:
        return ""
    maps = _value_maps(entity_type, len(REGISTRY.audit_values))
    if not maps:
        return label
    words = []
    for word in label.split(" "):
        core, tail = (word[:-1], word[-1]) if word[-1:] in ":," else (word, "")
        found = next((m[core] for m in maps if core in m), None)
        words.append(f"{found}{tail}" if found is not None else word)
    return " ".join(words)


@cache
def _value_maps(entity_type, declared):
    """Return the {value: label} maps of a record type (cached per number of declarations)."""
    return [m for (t, _f), m in REGISTRY.audit_values.items()
            if t == entity_type and isinstance(m, Mapping)]


# -- the model behind a record type -----------------------------------------------------------
@cache
def _models():
    from app.audit.services import Audited, entity_type_of
    from app.extensions import db

    by_type, by_table = {}, {}
    for mapper in db.Model.registry.mappers:
        cls = mapper.class_
        by_table[mapper.local_table.name] = cls
        if issubclass(cls, Audited):
            by_type[entity_type_of(cls)] = cls
    return by_type, by_table


def patient_typed_types():
    """Return the record types that hold text typed by patients (hidden from some readers)."""
    return sorted(entity_type for entity_type, model in _models()[0].items()
                  if getattr(model, "__audit_patient_text__", ()) or _patient_label(model))


def model_column(entity_type, field):
    """Return the table column behind a field of a record type, or None."""
    cls = _models()[0].get(entity_type)
    if cls is None:
        return None
    return cls.__mapper__.columns.get(field)


def referenced_model(column):
    """Return the model a foreign-key column points to, or None."""
    if column is None or not column.foreign_keys:
        return None
    table = next(iter(column.foreign_keys)).column.table.name
    return _models()[1].get(table)


# -- one entry's changes in words ---------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One changed field of an entry, in words."""

    field: str
    old: str
    new: str
    created: bool

    def text(self):
        """Return 'Field: old → new' ('Field: new' for a record just created)."""
        if self.created:
            return f"{self.field}: {self.new}"
        return f"{self.field}: {self.old} {ARROW} {self.new}"


def parsed_changes(entry):
    """Return the {field: [old, new]} stored in an entry (empty when unreadable)."""
    try:
        changes = json.loads(entry.changes or "{}")
    except ValueError:
        return {}
    return changes if isinstance(changes, dict) else {}


def hides_patient_text(user):
    """Return True when the reader may not see what patients typed (no identity permission)."""
    return not user.can("subjects.identity")


def _patient_text(entity_type, field):
    model = _models()[0].get(entity_type)
    return field in getattr(model, "__audit_patient_text__", ())


def _patient_label(model):
    return getattr(model, "__audit_patient_label__", False)


class EntryLabels:
    """Say entries in words, loading the records their foreign keys name in a few queries.

    With ``hide_patient_text`` what patients typed (line descriptions, file names) is said as
    hidden: the stored entries and their hash chain stay as they are; only reading redacts.
    """

    def __init__(self, session=None, hide_patient_text=False):
        self.session = session
        self.references = {}
        self.hide_patient_text = hide_patient_text
        # Labels said once per reader: an export of 200,000 entries repeats a few dozen.
        self._words = {}

    def _said(self, function, *key):
        words = self._words.get((function, key))
        if words is None:
            words = self._words[(function, key)] = function(*key)
        return words

    # -- whole entries ------------------------------------------------------------------
    def action(self, entry):
        """Return the entry's action in words."""
        return self._said(action_label, entry.action)

    def record_type(self, entry):
        """Return the entry's record type in words."""
        return self._said(record_type_label, entry.entity_type)

    def record(self, entry):
        """Return the entry's record label with its declared values in words."""
        if self.hide_patient_text and _patient_label(_models()[0].get(entry.entity_type)):
            return f"{record_type_label(entry.entity_type)} #{entry.entity_id}"
        return entity_label(entry.entity_type, entry.entity_label)

    def actor(self, entry):
        """Return who acted."""
        return actor_label(entry.user_name)

    def changes(self, entry):
        """Return the entry's changes as Change rows."""
        created = entry.action == "create"
        rows = []
        for field, pair in parsed_changes(entry).items():
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            rows.append(Change(self._said(field_label, entry.entity_type, field),
                               self.value(entry.entity_type, field, old),
                               self.value(entry.entity_type, field, new), created))
        return sorted(rows, key=lambda row: row.field.lower())

    def summary(self, entry, separator="\n"):
        """Return the entry's changes as text, one 'Field: old → new' per line."""
        return separator.join(change.text() for change in self.changes(entry))

    # -- one value --------------------------------------------------------------------------
    def value(self, entity_type, field, value):
        """Return one stored value in words."""
        if value is None or value == "":
            return EMPTY
        if self.hide_patient_text and _patient_text(entity_type, field):
            return _("(hidden: typed by the patient)")
        if isinstance(value, list):
            return ", ".join(self.value(entity_type, field, v) for v in value) or EMPTY
        declared = value_map(entity_type, field)
        if isinstance(declared, Mapping):
            if not isinstance(value, dict) and value in declared:
                return self._said(_declared_value, entity_type, field, value)
        elif callable(declared):
            return str(declared(value))
        column = model_column(entity_type, field)
        target = referenced_model(column)
        if target is not None:
            return self.reference(target, value)
        return plain_value(entity_type, field, value, column)

    def reference(self, model, value):
        """Return the label of the record a foreign key names ('Location #12' if unknown)."""
        try:
            key = int(value)
        except (TypeError, ValueError):
            return str(value)
        if (model, key) not in self.references:
            self._load(model, [key])
        return self.references[(model, key)]

    # -- loading referenced records -----------------------------------------------------------
    def prefetch(self, entries):
        """Load the records named by the entries' foreign keys, one query per model."""
        wanted = defaultdict(set)
        for entry in entries:
            for field, pair in parsed_changes(entry).items():
                target = referenced_model(model_column(entry.entity_type, field))
                if target is None:
                    continue
                for value in pair if isinstance(pair, list) else [pair]:
                    if isinstance(value, int) and (target, value) not in self.references:
                        wanted[target].add(value)
        for model, keys in wanted.items():
            self._load(model, sorted(keys))
        return self

    def _load(self, model, keys):
        from app.audit.services import Audited, entity_type_of

        audited = issubclass(model, Audited)
        entity_type = entity_type_of(model) if audited else None
        type_label = record_type_label(entity_type) if audited else ""
        has_label = audited and model.audit_label is not Audited.audit_label
        found = {}
        if self.hide_patient_text and _patient_label(model):
            has_label = False  # the label is a name a patient chose: say "File #12" instead
        if self.session is not None and has_label:
            key_column = model.__mapper__.primary_key[0]
            for start in range(0, len(keys), _PREFETCH_CHUNK):
                chunk = keys[start:start + _PREFETCH_CHUNK]
                for record in self.session.scalars(select(model).where(key_column.in_(chunk))):
                    found[getattr(record, key_column.key)] = entity_label(
                        entity_type, str(record.audit_label()))
        for key in keys:
            label = found.get(key)
            self.references[(model, key)] = label if label else (
                f"{type_label} #{key}".strip())


def plain_value(entity_type, field, value, column=None):
    """Return a value without a declared label: yes/no, date, time, number or text."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return _dict_text(entity_type, value)
    if isinstance(value, str):
        return _text_value(entity_type, field, value, column)
    if field == "id" or field.endswith("_id"):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return number(value)
    return str(value)


def _dict_text(entity_type, value, nested=False):
    """Say {"on_hand": 3, "counts": {"receipt": 2}} as 'On hand: 3; Movements: (Receipt 2)'."""
    if nested:
        return "(" + ", ".join(f"{field_label(entity_type, k)} {plain_value(entity_type, k, v)}"
                               for k, v in value.items()) + ")"
    return "; ".join(
        f"{field_label(entity_type, k)}: "
        + (_dict_text(entity_type, v, nested=True) if isinstance(v, dict)
           else plain_value(entity_type, k, v))
        for k, v in value.items()) or EMPTY


def _text_value(entity_type, field, value, column):
    column_type = getattr(column.type, "impl", column.type) if column is not None else None
    if isinstance(column_type, Date) or (column_type is None and _ISO_DATE.match(value)):
        return _date_text(value)
    if isinstance(column_type, DateTime) or (column_type is None and
                                             _ISO_DATETIME.match(value)):
        return _datetime_text(value)
    if isinstance(column_type, Numeric):
        return _number_text(value)
    return _json_text(entity_type, value)


def _date_text(value):
    try:
        return local_date(date.fromisoformat(value))
    except ValueError:
        return value


def _datetime_text(value):
    try:
        return utc_datetime(datetime.fromisoformat(value))
    except ValueError:
        return value


def _number_text(value):
    try:
        return number(Decimal(value))
    except (InvalidOperation, ValueError):
        return value


def _json_text(entity_type, value):
    """Say a JSON object or list kept in a text column ({"on_hand": 3}) in words."""
    if not value.startswith(("{", "[")):
        return value
    try:
        data = json.loads(value)
    except ValueError:
        return value
    if isinstance(data, list):
        return ", ".join(str(v) for v in data) or EMPTY
    return plain_value(entity_type, "", data)


def entry_labels(entries=()):
    """Return an EntryLabels on the request's session with the entries' references loaded.

    What patients typed is hidden from readers without the identity permission.
    """
    from flask_login import current_user

    from app.extensions import db

    hide = not current_user.is_authenticated or hides_patient_text(current_user)
    return EntryLabels(db.session, hide_patient_text=hide).prefetch(entries)
