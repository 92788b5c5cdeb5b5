"""Final disposition of a site's kits that left it: destroyed elsewhere (at a depot).

A kit a site sent back and a contractor destroyed at the depot leaves the site's ledger with
the return; its destruction line is written at the depot. The site's accountability log still
owes the sponsor its final disposition: this module finds, in the stock ledger, the destruction
lines away from the site of kits that were at the site before, up to the log's last ledger line
(so a signed log never gains a later destruction: it shows in the next, unsigned one).

Stock knows the ledger line and its document (the batch number); the domain that destroyed the
kits knows the certificate. Such a domain lists a module in its registration
(``Domain(dispositions=("app.<domain>.dispositions",))``) that defines:

``describe(session, refs)``
    Return ``{document_ref: Reference(label, url)}`` for the ledger documents it knows (the
    certificate's number and a link to it); unknown references are left out.

Stock imports no such module; it calls whichever are installed.
"""

from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import DateTime, select, type_coerce
from sqlalchemy.orm import aliased

from app.stock.models import Kit, Location, Lot, StockEntry
from app.trials.api import Site


@dataclass(frozen=True)
class Reference:
    """A document a destruction line refers to, as its owning domain names and links it."""

    label: str
    url: str | None = None


@dataclass(frozen=True)
class Disposition:
    """Kits of one site destroyed on one day at one place under one document."""

    site_number: str
    day: object
    place: str
    document_ref: str | None
    kits: int
    reference: Reference | None


def installed():
    """Return the disposition modules the installed domains registered."""
    from app.core.domains import REGISTRY

    return REGISTRY.dispositions


def describe(session, refs):
    """Return {document_ref: Reference} from every installed disposition module."""
    found = {}
    refs = sorted({r for r in refs if r})
    for module in installed():
        if refs:
            found.update(module.describe(session, refs))
    return found


def disposition_kits(session, location_ids, last_entry_id):
    """Return a select of (line, occurred, site number, kit, lot, place, document), line order.

    Destruction lines at places other than the given site locations, up to ``last_entry_id``,
    of kits whose last line at one of those locations comes before the destruction.
    """
    entry, before = StockEntry, aliased(StockEntry)
    origin = (select(before.location_id)
              .where(before.kit_id == entry.kit_id, before.location_id.in_(location_ids),
                     before.id < entry.id)
              .order_by(before.id.desc()).limit(1).correlate(entry).scalar_subquery())
    lines = (select(entry.id.label("line"), entry.occurred_at.label("occurred"),
                    entry.kit_id, entry.lot_id, entry.location_id, entry.document_ref,
                    origin.label("origin"))
             .where(entry.event == "destruction", entry.reversal_of_id.is_(None),
                    entry.location_id.not_in(location_ids), entry.id <= last_entry_id)
             .subquery())
    home, place = aliased(Location), aliased(Location)
    return (select(lines.c.line, type_coerce(lines.c.occurred, DateTime()), Site.site_number,
                   Kit.kit_number, Lot.number, place.code, lines.c.document_ref)
            .join(home, home.id == lines.c.origin).join(Site, Site.id == home.site_id)
            .join(Kit, Kit.id == lines.c.kit_id).join(Lot, Lot.id == lines.c.lot_id)
            .join(place, place.id == lines.c.location_id)
            .order_by(lines.c.line).execution_options(yield_per=5000))


def final_dispositions(session, location_ids, last_entry_id):
    """Return the Dispositions of the sites' kits destroyed elsewhere, oldest first."""
    if not location_ids:
        return []
    rows = session.execute(disposition_kits(session, location_ids, last_entry_id)).all()

    def key(row):
        return row[2], row[1].date(), row[5], row[6] or ""

    groups = [(k, len(list(members))) for k, members in
              groupby(sorted(rows, key=lambda r: (*key(r), r[0])), key=key)]
    references = describe(session, [k[3] for k, _count in groups])
    return [Disposition(site_number=site, day=day, place=place, document_ref=ref or None,
                        kits=count, reference=references.get(ref))
            for (site, day, place, ref), count in groups]
