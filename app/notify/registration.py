"""In-app notices and the e-mail outbox."""

from app.core.domains import Domain
from app.notify import bp

DOMAIN = Domain(
    name="notify",
    blueprints=((bp, "/notices"),),
)
