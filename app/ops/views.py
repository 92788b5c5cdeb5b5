"""The health check load balancers and monitors call."""

from app.core.permissions import public
from app.ops import bp
from app.ops.services.health import check_health


@bp.route("/healthz")
@public
def healthz():
    """Report the database, the job consumer and the storage; 503 naming what is down."""
    report = check_health()
    return report, 200 if report["status"] == "ok" else 503
