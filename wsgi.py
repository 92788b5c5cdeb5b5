"""WSGI entry point: gunicorn wsgi:app (APP_CONFIG picks the settings, production by default)."""

import os

from app import create_app

app = create_app(os.environ.get("APP_CONFIG", "production"))
