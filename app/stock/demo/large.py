"""A large stock data set for benchmarks, written with bulk inserts (no per-row audit).

Balances are computed from the same ledger lines that are inserted, so `flask stock verify`
agrees afterwards; one audit event records that the bulk load happened.
"""

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text

from app.audit.services import record_event
from app.core import clock
from app.core.models import utcnow
from app.stock.models import (
    Dispensing,
    Kit,
    KitReturn,
    Location,
    Lot,
    Product,
    StockBalance,
    StockEntry,
)
from app.stock.services.catalog import create_depot, save_resupply_level, save_supply_settings
from app.stock.services.kittypes import save_kit_type, save_kit_type_level
from app.stock.services.ledger import deltas
from app.trials.api import Site, Subject, Trial, TrialVisit

PROTOCOL = "BENCH-LARGE"
HEAVY_SITE_KITS = 10_000
HEAVY_SITE_LINES = 50_000
CHUNK = 20_000
ACTOR = "bulk demo data"


class _Writer:
    """Buffer rows per table and insert them in chunks."""

    def __init__(self, session):
        self.session = session
        self.buffers = defaultdict(list)
        self.counts = defaultdict(int)

    def add(self, model, row):
        self.buffers[model].append(row)

    def maybe_flush(self):
        """Flush every table (parents first) once any buffer is full."""
        if any(len(rows) >= CHUNK for rows in self.buffers.values()):
            self.flush()

    def flush(self, model=None):
        order = [Subject, Kit, StockEntry, Dispensing, KitReturn, StockBalance]
        for key in ([model] if model else [m for m in order if m in self.buffers]):
            rows = self.buffers[key]
            if rows:
                if self.session.get_bind().dialect.name == "postgresql":
                    copy_rows(self.session, key.__table__, rows)
                else:
                    self.session.execute(insert(key.__table__), rows)
                self.counts[key.__tablename__] += len(rows)
                rows.clear()


def copy_rows(session, table, rows):
    """Insert rows (dicts with the same keys) with PostgreSQL's COPY, in the session's
    transaction: an executemany of a million rows takes many minutes, COPY a fraction.

    COPY skips what an INSERT through SQLAlchemy adds, so this adds it: the columns' Python
    defaults for keys the rows leave out, and each type's bind conversion.
    """
    connection = session.connection()
    given = list(rows[0])
    defaults = [c for c in table.columns if c.name not in given and c.default is not None]
    names = given + [c.name for c in defaults]
    convert = [table.c[name].type._cached_bind_processor(connection.dialect) for name in names]
    quoted = ", ".join(f'"{name}"' for name in names)
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            values = [row[name] for name in given] + [
                c.default.arg(None) if c.default.is_callable else c.default.arg
                for c in defaults]
            copy.write_row([f(v) if f else v for f, v in zip(convert, values, strict=True)])


def _next_id(session, model):
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def catch_up_sequences(session, *models):
    """After rows were inserted with explicit ids, move PostgreSQL's id sequences past them
    (SQLite takes the next id from the table itself); otherwise the next ordinary insert
    collides with a bulk-loaded row."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        # The table name is our model's, never input.
        statement = (f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                     f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)")
        session.execute(text(statement))


def _setup(session, site_count, rng):
    trial = Trial(protocol_code=PROTOCOL, title="Large data set for benchmarks",
                  sponsor="Benchmark S.A.", phase="III", kind="drug", status="active",
                  blinded=True, countries="ES", contact_name="Benchmark",
                  contact_address="Calle 1, Madrid", contact_phone="+34 900 000 000")
    session.add(trial)
    session.flush()
    visits = [TrialVisit(trial_id=trial.id, number=n, name=f"Visita {n}", day_offset=28 * n)
              for n in range(1, 7)]
    sites = [Site(trial_id=trial.id, site_number=f"{n:03d}", hospital=f"Hospital {n:03d}",
                  address=f"Calle {n}, Madrid", principal_investigator=f"Dr. {n:03d}")
             for n in range(1, site_count + 1)]
    session.add_all(visits + sites)
    session.flush()
    locations = [Location(kind="site", code=f"SITE-{PROTOCOL}-{s.site_number}",
                          name=f"{PROTOCOL}-{s.site_number} · {s.hospital}", site_id=s.id)
                 for s in sites]
    session.add_all(locations)
    depot = create_depot(session, "DEP-BENCH", "Depósito de pruebas",
                         zones=[("DEP-BENCH-AMB", "Ambiente", "15-25 °C")])
    zone = session.scalar(select(Location).where(Location.code == "DEP-BENCH-AMB"))
    product = Product(name="BENCH-001", kind="investigational", strength="50 mg", form="Tablet",
                      route="Oral", units_per_kit=30, storage_min_c=Decimal(15),
                      storage_max_c=Decimal(25))
    session.add(product)
    session.flush()
    today = clock.today()
    lots = [Lot(number=f"BENCH-L{n:03d}", product_id=product.id, trial_id=trial.id,
                blinded=True, expires_on=today + timedelta(days=20 + 45 * n), status="released")
            for n in range(20)]
    session.add_all(lots)
    save_supply_settings(session, trial, 60, 30, "benchmark set-up")
    session.flush()
    kit_type = save_kit_type(session, trial, "BENCH", "BENCH-001 50 mg or placebo, 30 tablets",
                             [product.id])
    for site in sites:
        low, high = rng.randint(2, 6), rng.randint(10, 20)
        save_resupply_level(session, site, low, high)
        save_kit_type_level(session, site, kit_type, low, high)
    return trial, visits, sites, locations, depot, zone, product, lots


def build_large_data_set(session, *, sites=200, kits=200_000, lines=1_000_000, echo=print):
    """Create the trial BENCH-LARGE with its sites, kits, ledger lines and balances."""
    if session.scalar(select(Trial.id).where(Trial.protocol_code == PROTOCOL)):
        return [f"{PROTOCOL} already exists; nothing generated."]
    rng = random.Random(20260101)
    trial, visits, site_rows, locations, depot, zone, product, lots = _setup(session, sites, rng)
    writer = _Writer(session)
    now = utcnow()
    start = now - timedelta(days=600)

    subject_id = _next_id(session, Subject)
    subjects_by_site = {}
    for index, site in enumerate(site_rows):
        count = 400 if index == 0 else 5
        ids = list(range(subject_id, subject_id + count))
        subject_id += count
        subjects_by_site[site.id] = ids
        for offset, sid in enumerate(ids):
            writer.add(Subject, dict(id=sid, trial_id=trial.id, site_id=site.id,
                                     code=f"B{site.site_number}-{offset + 1:04d}",
                                     status="enrolled", enrolment_date=clock.today(),
                                     created_at=now, updated_at=now))
    writer.flush(Subject)

    kit_id = _next_id(session, Kit)
    entry_id = _next_id(session, StockEntry)
    numbers = rng.sample(range(10_000_000, 99_999_999), kits)
    heavy_kits = min(HEAVY_SITE_KITS, kits // 4)
    shipped_other = int(kits * 0.7) - heavy_kits
    per_site = max(1, shipped_other // max(1, sites - 1))
    balances = defaultdict(lambda: [0, 0, 0])
    plan = []  # (kit index, destination location or None)
    for i in range(kits):
        if i < heavy_kits:
            plan.append(locations[0])
        elif i < heavy_kits + shipped_other and sites > 1:
            plan.append(locations[1 + min((i - heavy_kits) // per_site, sites - 2)])
        else:
            plan.append(None)
    base_lines = kits + 2 * sum(1 for p in plan if p is not None)
    dispensed_share, returned_share = 0.6, 0.2
    base_lines += int(sum(1 for p in plan if p is not None) * dispensed_share * (
        1 + returned_share))
    heavy_base = heavy_kits * (1 + dispensed_share * (1 + returned_share))
    heavy_pairs = max(0, int((HEAVY_SITE_LINES - heavy_base) / 2))
    other_pairs = max(0, (lines - base_lines) // 2 - heavy_pairs)
    shipped_count = sum(1 for p in plan if p is not None)
    padded_other = max(1, (kits - shipped_count)
                       + (shipped_count - heavy_kits) * (1 - dispensed_share))
    pairs_per_other = other_pairs / padded_other
    heavy_undispensed = max(1, int(heavy_kits * (1 - dispensed_share)))
    pairs_per_heavy = heavy_pairs / heavy_undispensed

    def entry(kit, event, location_id, before, after, at, document=None, reason=None):
        nonlocal entry_id
        d = deltas(before, after)
        key = balances[(location_id, trial.id, kit["lot_id"])]
        for n in range(3):
            key[n] += d[n]
        row = dict(id=entry_id, event=event, kit_id=kit["id"], trial_id=trial.id,
                   location_id=location_id, lot_id=kit["lot_id"], product_id=product.id,
                   state_before=before, state_after=after, on_hand_delta=d[0],
                   quarantined_delta=d[1], available_delta=d[2], occurred_at=at,
                   recorded_at=at, user_id=None, user_name=ACTOR, document_ref=document,
                   reason=reason, reversal_of_id=None)
        writer.add(StockEntry, row)
        entry_id += 1
        return row["id"]

    def pad(kit, location_id, state, at, count):
        whole = int(count) + (1 if rng.random() < count - int(count) else 0)
        for _ in range(whole):
            at += timedelta(minutes=rng.randint(1, 600))
            entry(kit, "quarantine", location_id, state, "quarantined", at,
                  reason="bulk: temperature check")
            at += timedelta(minutes=rng.randint(1, 600))
            entry(kit, "release", location_id, "quarantined", state, at,
                  reason="bulk: released")
        return at

    for i in range(kits):
        lot = lots[i % len(lots)]
        at = start + timedelta(minutes=rng.randint(0, 60 * 24 * 90))
        kit = dict(id=kit_id, trial_id=trial.id, kit_number=str(numbers[i]), lot_id=lot.id,
                   product_id=product.id, location_id=zone.id, state="available",
                   expires_on=lot.expires_on, created_at=at, updated_at=at)
        kit_id += 1
        entry(kit, "receipt", zone.id, None, "available", at, document="REC-BENCH")
        destination = plan[i]
        if destination is None:
            at = pad(kit, zone.id, "available", at, pairs_per_other)
        else:
            at += timedelta(days=rng.randint(1, 60))
            entry(kit, "transfer_out", zone.id, "available", "in_transit", at,
                  document=f"SHP-{destination.id}")
            at += timedelta(hours=rng.randint(6, 48))
            entry(kit, "transfer_in", destination.id, "in_transit", "received", at,
                  document=f"SHP-{destination.id}")
            kit.update(location_id=destination.id, state="received")
            heavy = destination is locations[0]
            if rng.random() < dispensed_share:
                at += timedelta(days=rng.randint(1, 90))
                subjects = subjects_by_site[destination.site_id]
                subject = subjects[rng.randrange(len(subjects))]
                visit = visits[rng.randrange(len(visits))]
                dispense_id = entry(kit, "dispense", destination.id, "received", "dispensed",
                                    at, document="bulk")
                writer.add(Dispensing, dict(kit_id=kit["id"], subject_id=subject,
                                            visit_id=visit.id, site_id=destination.site_id,
                                            dispensed_at=at, dispensed_by_id=None,
                                            entry_id=dispense_id))
                kit["state"] = "dispensed"
                if rng.random() < returned_share:
                    at += timedelta(days=rng.randint(1, 30))
                    return_id = entry(kit, "return", destination.id, "dispensed", "returned",
                                      at)
                    missing = rng.choice((0, 0, 0, 1, 2))
                    writer.add(KitReturn, dict(
                        kit_id=kit["id"], subject_id=subject, site_id=destination.site_id,
                        units_returned=rng.randint(0, 30 - missing), units_missing=missing,
                        condition="opened", explanation="bulk: subject lost units"
                        if missing else None, returned_at=at, entry_id=return_id))
                    kit["state"] = "returned"
            else:
                at = pad(kit, destination.id, "received", at,
                         pairs_per_heavy if heavy else pairs_per_other)
        if at > now:
            raise RuntimeError("bulk data ran past the present; lower --lines")
        writer.add(Kit, kit)
        writer.maybe_flush()
    writer.flush()
    for (location_id, trial_id, lot_id), (on_hand, quarantined, available) in balances.items():
        writer.add(StockBalance, dict(location_id=location_id, trial_id=trial_id,
                                      lot_id=lot_id, product_id=product.id, on_hand=on_hand,
                                      quarantined=quarantined, available=available))
    writer.flush()
    catch_up_sequences(session, Subject, Kit, StockEntry)
    record_event(session, "stock_bulk_load", "trial", trial.id, label=PROTOCOL,
                 changes={"kits": (None, kits), "ledger_lines": (
                     None, writer.counts["stock_entries"])})
    echo(f"inserted {writer.counts['stock_entries']:,} ledger lines")
    return [f"created trial {PROTOCOL}: {sites} sites, {kits:,} kits, "
            f"{writer.counts['stock_entries']:,} ledger lines, "
            f"{writer.counts['dispensings']:,} dispensings, "
            f"{writer.counts['kit_returns']:,} returns; heavy site "
            f"{site_rows[0].site_number} (id {site_rows[0].id})"]

