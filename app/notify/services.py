"""Queue e-mails and notices; deliver the outbox when a mail server is configured."""

import smtplib
from email.message import EmailMessage

from flask import current_app, has_request_context, request
from flask_babel import force_locale
from sqlalchemy import select, update

from app.core.i18n import REGIONS
from app.core.models import utcnow
from app.files.storage import StorageError
from app.notify.models import Notice, OutboxAttachment, OutboxMessage


def queue_email(session, recipient, subject, body, attachments=()):
    """Add an e-mail to the outbox; it leaves only if the transaction commits.

    ``attachments``: stored files (app/files) or (stored file, name shown) pairs; the outbox
    keeps a reference to each, and the mail sender attaches its bytes when it sends.
    """
    message = OutboxMessage(recipient=recipient, subject=subject[:300], body=body)
    for item in attachments:
        stored, name = item if isinstance(item, tuple) else (item, item.original_name)
        message.attachments.append(OutboxAttachment(file=stored, filename=name[:255]))
    session.add(message)
    return message


def as_email(item, sender):
    """Return the EmailMessage of an outbox message, its files attached (MIME parts)."""
    from app.files.services import read_bytes

    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, item.recipient, item.subject
    email.set_content(item.body)
    for attachment in item.attachments:
        maintype, _slash, subtype = (attachment.file.content_type
                                     or "application/octet-stream").partition("/")
        email.add_attachment(read_bytes(attachment.file), maintype=maintype,
                             subtype=subtype or "octet-stream", filename=attachment.filename)
    return email


def notify(session, user, message, link=None):
    """Leave an in-app notice for a user."""
    notice = Notice(user_id=user.id, message=message[:500], link=link)
    session.add(notice)
    return notice


def mark_read(session, notice):
    """Mark one notice read (once)."""
    if notice.read_at is None:
        notice.read_at = utcnow()
        session.flush()
    return notice


def mark_all_read(session, user):
    """Mark every unread notice of the user read."""
    session.execute(update(Notice).where(
        Notice.user_id == user.id, Notice.read_at.is_(None)).values(read_at=utcnow()))


def users_with_roles(session, roles, site_id=None, trial_id=None):
    """Return active users holding any of the roles (and, when given, assigned to the site;
    and, when a trial is given, not limited to other sponsors' trials)."""
    from app.auth.models import User, UserRole

    stmt = (select(User).join(UserRole).where(UserRole.role.in_(roles), User.active.is_(True))
            .order_by(User.id).distinct())
    users = session.scalars(stmt).all()
    if site_id is not None:
        users = [u for u in users if site_id in u.site_ids]
    if trial_id is not None:
        users = [u for u in users if u.sees_trial(trial_id)]
    return users


def absolute_link(link):
    """Return the link with the address people reach the app at (e-mails are read outside it).

    Inside a request: this request's host. Outside (daily alerts, jobs): PUBLIC_BASE_URL.
    """
    if not link or not link.startswith("/"):
        return link
    if has_request_context():
        return request.host_url.rstrip("/") + link
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return base + link if base else link


def tell(session, users, compose, link, *, email=True):
    """Tell these users in their language: an in-app notice and (by default) an e-mail each.

    ``compose()`` returns (subject, body) and is called with each user's locale in force; the
    notice carries the subject, the e-mail the body followed by the absolute link.
    """
    absolute = absolute_link(link)
    for user in users:
        with force_locale(REGIONS.get(user.language, "es_ES")):
            subject, body = compose()
        notify(session, user, subject, link)
        if email:
            queue_email(session, user.email, subject,
                        f"{body}\n\n{absolute}" if absolute else body)
    return len(users)


def deliver_outbox(session, limit=100):
    """Send unsent outbox messages by SMTP; return (sent, failed)."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        return 0, 0
    pending = session.scalars(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).limit(limit)
    ).all()
    sent = failed = 0
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for item in pending:
            try:  # an attachment missing from storage fails this message, not the others
                smtp.send_message(as_email(item, config["MAIL_FROM"]))
                item.sent_at, item.error = utcnow(), None
                sent += 1
            except (smtplib.SMTPException, OSError, StorageError) as exc:
                item.error = str(exc)[:2000]
                failed += 1
    return sent, failed
