"""Randomisation lists: generate, upload, verify by a second unblinded user, retire."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.blinding.models import RandomisationList, RandomisationSlot
from app.blinding.services import generator
from app.blinding.services.design import MAX_LIST_SIZE, stratum_labels_of
from app.blinding.states import RANDOMISATION_LIST
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.esign.services import sign


def _check_header(session, trial, name, purpose, by):
    if not by.can("blinding.lists"):
        raise DomainError(_("Only an unblinded user may create randomisation lists."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the list a name."), "name")
    if len(name) > 80:
        raise DomainError(_("The name may hold at most 80 characters."), "name")
    if purpose not in ("production", "testing", "training"):
        raise DomainError(_("Choose what the list is for."), "purpose")
    if session.scalar(select(RandomisationList.id).where(
            RandomisationList.trial_id == trial.id, RandomisationList.name == name)):
        raise DomainError(_("This trial already has a list with this name."), "name")
    return name


def _store(session, trial, *, name, purpose, source, parameters, entries, by, seed=None):
    rlist = RandomisationList(
        trial_id=trial.id, name=name, purpose=purpose, source=source, status="draft",
        algorithm=generator.ALGORITHM if seed else None,
        algorithm_version=generator.VERSION if seed else None,
        parameters=generator.canonical_parameters(parameters), seed=seed,
        seed_sha256=generator.seed_digest(seed) if seed else None,
        list_sha256=generator.list_digest(entries), size=len(entries), created_by_id=by.id)
    session.add(rlist)
    session.flush()
    _insert_slots(session, rlist.id, entries)
    return rlist


SLOT_INSERT = ("INSERT INTO randomisation_slots (list_id, number, sequence, block, stratum, arm) "
               "VALUES (?, ?, ?, ?, ?, ?)")


def _insert_slots(session, list_id, entries):
    """Insert a list's numbers fast: a driver executemany on SQLite, COPY on PostgreSQL."""
    rows = [(list_id, e.number, e.sequence, e.block, e.stratum, e.arm) for e in entries]
    connection = session.connection()
    if connection.dialect.paramstyle == "qmark":
        connection.exec_driver_sql(SLOT_INSERT, rows)
        return
    cursor = connection.connection.driver_connection.cursor()  # psycopg 3, same transaction
    with cursor.copy(f"COPY {RandomisationSlot.__tablename__} "
                     "(list_id, number, sequence, block, stratum, arm) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def generate_list(session, trial, *, name, purpose, parameters, by, seed=None):
    """Generate a list (permuted blocks, random sizes, strata) and store it unverified."""
    name = _check_header(session, trial, name, purpose, by)
    per_stratum = parameters.get("per_stratum") or 0
    strata_count = len(stratum_labels_of(parameters))
    if not 1 <= per_stratum or per_stratum * strata_count > MAX_LIST_SIZE:
        raise DomainError(_("A list holds from 1 to %(n)s numbers in all.", n=MAX_LIST_SIZE),
                          "per_stratum")
    seed = (seed or "").strip() or generator.new_seed()
    if len(seed) > 200:
        raise DomainError(_("The seed may hold at most 200 characters."), "seed")
    entries = generator.generate(parameters, seed)
    return _store(session, trial, name=name, purpose=purpose, source="generated",
                  parameters=parameters, entries=entries, by=by, seed=seed)


def store_uploaded_list(session, trial, *, name, purpose, parameters, entries, by):
    """Store an uploaded list whose rows were all checked (see uploads.check_rows)."""
    name = _check_header(session, trial, name, purpose, by)
    return _store(session, trial, name=name, purpose=purpose, source="uploaded",
                  parameters=parameters, entries=entries, by=by)


def verify_list(session, rlist, *, by, password):
    """Verify a list by e-signature ("Verified"): a second unblinded user, not its maker."""
    if not by.can("blinding.lists"):
        raise DomainError(_("Only an unblinded user may verify a randomisation list."))
    if by.id == rlist.created_by_id:
        raise DomainError(_("Someone other than the person who made the list must verify "
                            "it."), "password")
    if rlist.status != "draft":
        raise DomainError(_("This list is not waiting for verification."))
    signature = sign(session, rlist, meaning="verified", signer=by, password=password)
    apply_transition(session, RANDOMISATION_LIST, rlist, "verify", by=by, signature=signature,
                     values={"verified_by_id": by.id})
    return rlist


def retire_list(session, rlist, *, by, reason):
    """Take a list out of use (it is kept)."""
    apply_transition(session, RANDOMISATION_LIST, rlist, "retire", by=by, reason=reason)
    return rlist


def list_in_use(session, trial, purpose):
    """Return the verified list of the trial for this purpose (the newest), or None."""
    return session.scalar(select(RandomisationList).where(
        RandomisationList.trial_id == trial.id, RandomisationList.purpose == purpose,
        RandomisationList.status == "verified").order_by(RandomisationList.id.desc()).limit(1))
