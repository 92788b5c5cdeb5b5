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


def peak_memory_kb(pid):
    """Return a process's peak resident memory (VmHWM) in kB."""
    from pathlib import Path

    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """Return the processor time (user + system) a process and its finished children (qpdf)
    have used so far, in seconds."""
    import os
    from pathlib import Path

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def start_consumer(url, queue_file):
    """Start one real huey consumer on the database and SQLite queue file; return the process."""
    import os
    import subprocess
    import sys
    import tempfile

    from tests.dbsetup import ROOT

    uploads = tempfile.mkdtemp(prefix="bench-uploads-")
    env = {**os.environ, "APP_CONFIG": "testing", "DATABASE_URL": url, "TEST_DATABASE_URL": url,
           "JOBS_QUEUE_FILE": str(queue_file), "UPLOAD_FOLDER": uploads,
           "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "app.jobs.queue.huey", "-w", "1",
         "-k", "thread", "-n"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
