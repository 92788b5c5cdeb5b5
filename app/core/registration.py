"""The core domain: home page, language switch, health check; the roles' basic rights."""

from app.core.domains import Domain
from app.core.search import bp as search_bp
from app.core.views import bp

DOMAIN = Domain(
    name="core",
    blueprints=((bp, None), (search_bp, None)),
)
