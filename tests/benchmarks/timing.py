"""Server time of a page through the Flask test client, for the benchmarks."""

import statistics
import time


def server_ms(client, url, runs=7):
    """Return the median milliseconds of `runs` GETs of url after one warm-up GET."""
    assert client.get(url).status_code == 200, url  # warm caches and templates
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return statistics.median(times)


def ready_for_reading(session, email):
    """Refresh PostgreSQL's statistics after a build; return the id of the logistics reader.

    The reader is created once per kept benchmark database (get-or-create by e-mail).
    """
    from sqlalchemy import select, text

    from app.auth.models import User
    from tests.factories import make_user

    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))
        session.commit()
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = make_user(session, roles=("logistics",), email=email)
        session.commit()
    return user.get_id()


def client_of(app, user_id):
    """Return a test client logged in as the user (as Flask-Login would after a log-in)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    return client
