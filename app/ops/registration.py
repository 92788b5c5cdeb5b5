"""Operations: /healthz and the `flask backup` and `flask files` commands."""

from app.core.domains import Domain
from app.files.cli import files_cli
from app.ops import bp
from app.ops.cli import backup_cli

DOMAIN = Domain(
    name="ops",
    blueprints=((bp, None),),
    commands=(backup_cli, files_cli),
)
