"""Import every domain's models so metadata is complete for Alembic and relationships resolve.

The domains are the one DOMAINS list of create_app (plus the files infrastructure package):
a new domain's models are found here without editing this file.
"""

from importlib import import_module, util


def import_every_model():
    """Import app.<name>.models for every package that has one."""
    from app import DOMAINS

    for name in ("files", *DOMAINS):
        module = f"app.{name}.models"
        if util.find_spec(module) is not None:
            import_module(module)
