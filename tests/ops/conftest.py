"""Several servers: two gunicorn instances sharing one PostgreSQL, Redis and S3 stand-in."""

import os
import secrets
import tempfile
from types import SimpleNamespace

import pytest

import config
from app.extensions import db
from app.files.storage import make_storage
from tests.dbsetup import fresh_database, is_postgres, make_test_app
from tests.services import start_gunicorn, start_moto, start_redis


@pytest.fixture(scope="module")
def several_servers():
    """Start moto, Redis and two gunicorn servers (A and B) on one migrated PostgreSQL database.

    Yields a namespace: ``a`` and ``b`` (base URLs), ``app`` (a test app on the same database
    and bucket, inside an app context, to arrange data and check results), ``env`` (the
    servers' environment: DATABASE_URL, REDIS_URL, STORAGE_URL, S3_*). A job test can start a
    consumer with the same ``env`` (``huey_consumer app.jobs.queue.huey``).
    """
    if not is_postgres():
        pytest.skip("several servers need PostgreSQL: set DATABASE_URL=postgresql+psycopg://... "
                    "(.ci/run's PostgreSQL pass runs this test)")
    redis = start_redis()
    if redis is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    moto = start_moto("ensayo-servers")
    database_url = fresh_database("servers")
    env = {**os.environ, "APP_CONFIG": "production", "SECRET_KEY": secrets.token_urlsafe(48),
           "DATABASE_URL": database_url, "SESSION_COOKIE_SECURE": "0",
           "ARGON2_PROFILE": "test", **redis.env, **moto.env,
           # the servers and the test app write to one audit chain: one key
           "AUDIT_HMAC_KEY": config.TestingConfig.AUDIT_HMAC_KEY,
           "AUDIT_ANCHOR_FILE": os.path.join(tempfile.mkdtemp(), "anchors.jsonl")}
    env.pop("TEST_DATABASE_URL", None)
    app = make_test_app(database_url, migrate=True)
    app.config.update({k: v for k, v in moto.env.items()})
    app.extensions["ensayo_storage"] = make_storage(app.config)
    servers = [start_gunicorn(env, "a"), start_gunicorn(env, "b")]
    try:
        with app.app_context():
            yield SimpleNamespace(a=servers[0].url, b=servers[1].url, app=app, env=env,
                                  redis=redis, moto=moto)
            db.session.remove()
            db.engine.dispose()
    finally:
        for service in (*servers, moto, redis):
            service.stop()
