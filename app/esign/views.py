"""The signer's own signatures."""

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from app.core.listing import build_listing
from app.core.permissions import require
from app.esign import bp
from app.esign.models import Signature


@bp.route("/mine")
@require("esign.sign")
def my_signatures():
    """List the signatures the current user has made."""
    listing = build_listing(
        select(Signature).where(Signature.signer_id == current_user.id),
        sorts={"signed_at": Signature.signed_at, "meaning": Signature.meaning},
        default_sort="-signed_at",
        search_columns=(Signature.entity_type, Signature.meaning),
    )
    return render_template("esign/mine.html", listing=listing)
