"""Outside services for the storage and scale-out tests: moto's S3 server, Redis, gunicorn.

Each helper starts a real process on a free loopback port and returns a handle whose
``stop()`` ends it. moto's server is a stand-in for S3 (no S3 server installs here).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.dbsetup import ROOT

S3_CREDENTIALS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing",
                  "S3_REGION": "us-east-1", "S3_ADDRESSING_STYLE": "path"}


def free_port():
    """Return a loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, what, timeout=30):
    """Wait until something accepts connections on the port; fail if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start on port {port}")


@dataclass
class Service:
    """A started process and what clients need to reach it."""

    url: str
    process: subprocess.Popen
    env: dict = field(default_factory=dict)
    log: object = None

    def stop(self):
        """End the process (and its children) and wait for it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self.log:
            self.log.close()


def _start(command, port, what, env=None, log_name=None):
    log = open(ROOT / "instance" / log_name, "w") if log_name else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env or os.environ.copy(), stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, process, what)
    except RuntimeError:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return process, (log if log_name else None)


def start_moto(bucket):
    """Start moto's S3 server and create the bucket; the Service env holds the settings."""
    import boto3

    port = free_port()
    binary = str(Path(sys.executable).parent / "moto_server")
    process, log = _start([binary, "-H", "127.0.0.1", "-p", str(port)], port, "moto_server",
                          log_name="moto-server.log")
    url = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=url, aws_access_key_id="testing",
                 aws_secret_access_key="testing", region_name="us-east-1").create_bucket(
        Bucket=bucket)
    env = {"STORAGE_URL": f"s3://{bucket}/files", "S3_ENDPOINT_URL": url, **S3_CREDENTIALS}
    return Service(url, process, env, log)


def start_redis():
    """Start a throwaway redis-server (no persistence); None when it is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = free_port()
    process, log = _start([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                           "--appendonly", "no"], port, "redis-server")
    url = f"redis://127.0.0.1:{port}/0"
    return Service(url, process, {"REDIS_URL": url}, log)


def start_gunicorn(env, name):
    """Serve wsgi:app with gunicorn on a free port with the given environment."""
    port = free_port()
    process, log = _start([sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "2",
                           "--bind", f"127.0.0.1:{port}", "wsgi:app"], port, f"gunicorn {name}",
                          env=env, log_name=f"gunicorn-{name}.log")
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/auth/login", timeout=2)  # noqa: S310
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.1)
    return Service(url, process, {}, log)


def form_token(html):
    """Return the CSRF token of the first form in a page."""
    import re

    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def log_in(base_url, email, password):
    """Return a requests session logged in on the server at base_url."""
    import requests

    http = requests.Session()
    page = http.get(f"{base_url}/auth/login", timeout=30)
    response = http.post(f"{base_url}/auth/login", timeout=30, allow_redirects=False, data={
        "csrf_token": form_token(page.text), "email": email, "password": password})
    assert response.status_code == 302, response.text[:2000]
    return http
