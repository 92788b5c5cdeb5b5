"""The job consumer's app leaves out what only some requests need (its memory goal: 150 MB)."""

import json
import os
import subprocess
import sys

from tests.dbsetup import ROOT

# Each weighs 10-16 MB once imported; the consumer builds exports and never needs them.
HEAVY = ("alembic", "flask_migrate", "biip", "xmlschema", "pypdf", "text_unidecode")


def test_the_consumer_app_imports_none_of_the_heavy_optional_libraries():
    probe = ("import json, sys; from app.jobs.queue import consumer_app; consumer_app(); "
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    env = {**os.environ, "APP_CONFIG": "testing"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []
