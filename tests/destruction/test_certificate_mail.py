"""The sponsor's e-mail carries the certificate PDF as an attachment (a stored-file reference
in the outbox, attached as a MIME part when the mail sender sends it)."""

import email
import hashlib
from email import policy

import pytest
from sqlalchemy import select

from app.destruction.services import certificate
from app.notify import services as notify
from app.notify.models import OutboxAttachment, OutboxMessage
from tests.destruction.factories import make_executed_batch


class FakeSMTP:
    """Keeps what it is asked to send, as the bytes that would cross the wire."""

    sent = []

    def __init__(self, host, port, timeout=None):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message.as_bytes())


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr(notify.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.test")
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "")
    return FakeSMTP


def _sent_certificate(db, world, tmp_path):
    batch = make_executed_batch(db.session, world)
    certificate.issue_certificate(db.session, batch, tmp_path / "c.pdf", by=world.logistics)
    certificate.send_to_sponsor(db.session, batch, f"/destruction/batches/{batch.id}",
                                by=world.logistics)
    db.session.commit()
    return batch


def test_the_sent_email_carries_the_certificate_pdf(db, world, english, tmp_path, smtp):
    batch = _sent_certificate(db, world, tmp_path)
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "sponsor@example.com"))
    [attachment] = mail.attachments
    assert attachment.file_id == batch.certificate_id  # a reference, not a copy of the bytes
    assert attachment.filename == f"{batch.certificate_number}.pdf"
    others = db.session.query(OutboxMessage).count() - 1  # the world's own e-mails
    assert notify.deliver_outbox(db.session) == (others + 1, 0)
    db.session.commit()
    assert mail.sent_at is not None and mail.error is None
    [message] = [m for m in (email.message_from_bytes(raw, policy=policy.default)
                             for raw in smtp.sent) if m["To"] == "sponsor@example.com"]
    assert message["To"] == "sponsor@example.com"
    assert batch.certificate_number in message["Subject"]
    assert batch.certificate_sha256 in message.get_body(("plain",)).get_content()
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == f"{batch.certificate_number}.pdf"
    data = part.get_payload(decode=True)
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == batch.certificate_sha256


def test_a_missing_attached_file_fails_that_message_only(db, world, english, tmp_path, smtp):
    from app.files.services import _current_key as key_of
    from app.files.services import get_storage

    batch = _sent_certificate(db, world, tmp_path)
    notify.queue_email(db.session, "someone@example.com", "Plain", "No attachment")
    db.session.commit()
    get_storage().delete(key_of(batch.certificate))
    others = db.session.query(OutboxMessage).count() - 1
    assert notify.deliver_outbox(db.session) == (others, 1)
    failed = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "sponsor@example.com"))
    assert failed.sent_at is None and failed.error
    assert len(smtp.sent) == others


def test_the_outbox_screen_shows_and_hands_out_the_attachment(
        client, login_as, db, world, english, tmp_path):
    batch = _sent_certificate(db, world, tmp_path)
    attachment = db.session.scalar(select(OutboxAttachment))
    login_as("admin")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert f'<a href="/admin/outbox/attachments/{attachment.id}">' \
           f"{batch.certificate_number}.pdf</a>" in page
    assert batch.certificate_sha256 in page
    response = client.get(f"/admin/outbox/attachments/{attachment.id}")
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == batch.certificate_sha256
    assert client.get("/admin/outbox/attachments/999999").status_code == 404
    login_as("logistics")
    assert client.get(f"/admin/outbox/attachments/{attachment.id}").status_code == 403
