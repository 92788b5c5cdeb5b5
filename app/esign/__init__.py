"""Electronic signatures: the signing form and the signer's own list."""

from flask import Blueprint

bp = Blueprint("esign", __name__)


@bp.app_template_global()
def signature_current(signature, record):
    """Return True when the record still has the signed content."""
    from app.esign.services import signature_is_current

    return signature_is_current(signature, record)


from app.esign import views  # noqa: E402, F401
