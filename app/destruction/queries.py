"""Read-only scoping and list queries of returns, reconciliations and destruction batches."""

from sqlalchemy import func, select

from app.destruction.models import DestructionBatch, DestructionItem, Reconciliation


def _site_scope(user, permission="destruction.view"):
    return user.site_scope(permission)


def can_see_reconciliation(user, rec):
    """Return True when the user may see this reconciliation."""
    return user.sees_site("destruction.view", rec.site_id)


def can_see_batch(user, batch):
    """Return True when the user may see this batch (site staff: their own on-site batches)."""
    scope = _site_scope(user)
    return scope is None or (batch.site_id is not None and batch.site_id in scope)


def reconciliations(user):
    """Return a select of the reconciliations the user may see, newest first."""
    stmt = select(Reconciliation).order_by(Reconciliation.id.desc())
    scope = _site_scope(user)
    return stmt if scope is None else stmt.where(Reconciliation.site_id.in_(scope))


def batches(user):
    """Return a select of the batches the user may see, newest first."""
    stmt = select(DestructionBatch).order_by(DestructionBatch.id.desc())
    scope = _site_scope(user)
    return stmt if scope is None else stmt.where(DestructionBatch.site_id.in_(scope))


WAITING = {
    "verify": lambda: Reconciliation.status == "closed",
    "explain": lambda: Reconciliation.status == "open",
    "witness": lambda: DestructionBatch.status == "draft",
    "execute": lambda: DestructionBatch.status == "witnessed",
}


def waiting(user, what):
    """Return a select of what waits for the user under a work-queue name."""
    condition = WAITING[what]()
    if what in ("verify", "explain"):
        return reconciliations(user).where(condition)
    stmt = batches(user).where(condition)
    if what == "execute":  # the witness cannot execute what they witnessed
        stmt = stmt.where(DestructionBatch.witness_id != user.id)
    return stmt


def waiting_count(session, user, what):
    """Return how many items wait for the user under a work-queue name."""
    return session.scalar(select(func.count()).select_from(
        waiting(user, what).order_by(None).subquery())) or 0


def first_uncovered(session, batch, kind, item_column, covered):
    """Return the reference of the batch's first item of this kind (kit or device) that the
    ``covered`` id select no longer includes, or None: re-checked when the batch executes."""
    return session.scalar(select(DestructionItem.reference).where(
        DestructionItem.batch_id == batch.id, DestructionItem.kind == kind,
        item_column.not_in(covered)).order_by(DestructionItem.reference).limit(1))
