"""The application factory: a list of small register steps."""

from pathlib import Path

from flask import Flask

from config import CONFIGS, INSECURE_KEYS

ROOT = Path(__file__).resolve().parent.parent

# The one list of domains, in dependency order. Each is a package with a registration.py;
# adding a domain adds one name here and touches nothing else central. (files and exports
# are infrastructure: they register nothing.)
DOMAINS = (
    "core", "audit", "notify", "esign",
    "trials", "auth", "admin",
    "stock", "shipments", "reimbursement",
    "labelling", "devices", "blinding", "celltherapy", "destruction",
    "jobs",
    "alerts",
    "ops",
)


def create_app(config_name="development", *, migrations=True):
    """Build the Flask application for the named configuration.

    ``migrations=False`` leaves out Flask-Migrate (the `flask db` commands): the job consumer
    never migrates and keeps its memory for the files it builds.
    """
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                instance_path=str(ROOT / "instance"))
    app.config.from_object(CONFIGS[config_name])
    app.config["CONFIG_NAME"] = config_name
    refuse_insecure_production(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_extensions(app, migrations)
    register_input_guards(app)
    register_domains(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def refuse_insecure_production(app):
    """Stop a production start without a real secret key and audit key."""
    key = app.config.get("SECRET_KEY") or ""
    if app.config["CONFIG_NAME"] == "production" and (key in INSECURE_KEYS or len(key) < 32):
        raise RuntimeError("Set SECRET_KEY to a random value of at least 32 characters.")
    audit_key = app.config.get("AUDIT_HMAC_KEY") or ""
    if app.config["CONFIG_NAME"] == "production" and (
            audit_key in INSECURE_KEYS or len(audit_key) < 32 or audit_key == key):
        raise RuntimeError("Set AUDIT_HMAC_KEY to a random value of at least 32 characters "
                           "(not the SECRET_KEY), kept outside the database.")


def register_extensions(app, migrations=True):
    """Bind the extensions and the database and audit hooks."""
    from app.audit.services import install_listeners
    from app.core.database import configure_engine_events
    from app.core.i18n import select_locale, select_timezone
    from app.extensions import babel, csrf, db, login_manager

    db.init_app(app)
    if migrations:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(ROOT / "migrations"), compare_type=True,
                render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=";".join(translation_directories()),
    )
    login_manager.init_app(app)
    with app.app_context():
        configure_engine_events(db.engine)
    install_listeners()
    from app.models import import_every_model

    import_every_model()  # every model registered before the first query


def translation_directories():
    """Return each package's translations folder, relative to the app package."""
    here = Path(__file__).resolve().parent
    return sorted(str(p.relative_to(here)) for p in here.glob("*/translations"))


def register_input_guards(app):
    """Bound URL ids and form numbers to what the database can store."""
    from app.core.forms import install_number_guards
    from app.core.urls import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter
    install_number_guards()


def register_domains(app):
    """Install every domain in DOMAINS: blueprints, permissions, menu, labels, commands."""
    from app.core.domains import install

    for name in DOMAINS:
        install(app, name)


def register_request_hooks(app):
    """Session freshness and security headers on every response."""
    from app.core.security import add_security_headers, keep_session_fresh

    app.before_request(keep_session_fresh)
    app.after_request(add_security_headers)


def register_template_helpers(app):
    """Expose formatting and navigation helpers to templates."""
    from app.core.templating import install

    install(app)


def register_error_handlers(app):
    """Friendly pages for 400, 403, 404, 405, 413 and 500."""
    from app.errors import install

    install(app)


def register_commands(app):
    """Add the flask sub-commands."""
    from app.cli import install

    install(app)
