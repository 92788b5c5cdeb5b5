"""The header search: a number or reference goes to the one place that shows it.

The search never reads records itself: it only chooses the page (a list filtered by ``q`` or
a record's address) and that page applies the user's scope as always, so it shows nothing the
user may not see (a blinded user never an arm, a monitor never a name). Domains are named
here only by endpoint, so core imports none of them.
"""

import re

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.permissions import login_only

bp = Blueprint("search", __name__)
MAX_QUERY = 100
CLAIM = re.compile(r"^RC-?0*(\d{1,9})$", re.I)


def _claim_target(number):
    if current_user.can("reimbursement.view"):
        return url_for("reimbursement.show_claim", claim_id=number)
    if current_user.can("reimbursement.portal"):
        return url_for("my.show_claim", claim_id=number)
    return None


# (what the text looks like, permission, list endpoint searched with ?q=)
LISTS = (
    (re.compile(r"^(SHP-|\d{1,2}[A-Z]|1Z)", re.I), "shipments.view", "shipments.board"),
    (re.compile(r"^ENS-RB-", re.I), "reimbursement.pay", "reimbursement.list_batches"),
    (re.compile(r"^[A-Z]{2,6}-\d{3}-\d{3}$", re.I), "subjects.view", "trials.list_subjects"),
    (re.compile(r"^\d{4,12}$"), "stock.sites", "stock.list_kits"),
    (re.compile(r"."), "stock.view", "stock.list_lots"),
    (re.compile(r"."), "shipments.view", "shipments.board"),
)


def target_for(text):
    """Return the address that shows what the text names, or None."""
    claim = CLAIM.match(text)
    if claim:
        return _claim_target(int(claim.group(1)))
    for pattern, permission, endpoint in LISTS:
        if pattern.search(text) and current_user.can(permission):
            return url_for(endpoint, q=text)
    return None


@bp.route("/search")
@login_only
def search():
    """Open what the number or reference names, within what the user may see."""
    text = " ".join((request.args.get("q") or "").split())
    too_long = len(text) > MAX_QUERY
    if text and not too_long and text.isprintable():
        target = target_for(text)
        if target:
            return redirect(target)
    return render_template("core/search.html", q=text[:MAX_QUERY], too_long=too_long), (
        200 if not text else 404)
