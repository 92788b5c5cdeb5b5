"""Background work of the audit trail: the daily anchor of the chain's head."""

from huey import crontab

from app.jobs.queue import huey, in_app_context


@huey.periodic_task(crontab(hour="1", minute="17"), retries=3, retry_delay=600)
@in_app_context
def anchor_audit_chain():
    """Append the chain's head to the anchor file once a day (01:17 UTC)."""
    from app.audit.anchors import write_anchor
    from app.extensions import db

    try:
        return write_anchor(db.session)
    finally:
        db.session.remove()
