"""The health check load balancers and monitors call."""

from flask import g

from app.core.permissions import public
from app.extensions import login_manager
from app.ops import bp
from app.ops.services.health import check_health


@bp.route("/healthz")
@public
def healthz():
    """Report the database, the job consumer and the storage; 503 naming what is down."""
    report = check_health()
    if "database" in report["down"]:
        g._login_user = login_manager.anonymous_user()  # no later hook may load the user
    return report, 200 if report["status"] == "ok" else 503
