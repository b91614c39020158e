"""Helpers for tests that start the real thing: the flask CLI and gunicorn."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.gunicorn_ready import READY

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str, instance: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KRSD_")}
    env.update(
        FLASK_APP="krsd",
        KRSD_DATABASE_URL=database_url,
        KRSD_INSTANCE_PATH=str(instance),
        KRSD_SECRET_KEY="test-secret-for-subprocesses",
        **extra,
    )
    return env


def flask(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "flask"), *args], env=env, capture_output=True, text=True, timeout=120
    )


@contextmanager
def gunicorn(env: dict, workers: int, log: Path, bin_dir: Path = BIN, cwd=None):
    """Serve ``krsd:create_app()``; ``bin_dir`` picks the virtualenv (another one for a wheel)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "-c",
                str(Path(__file__).with_name("gunicorn_ready.py")),
                "krsd:create_app()",
            ],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            # Every worker has loaded the app (not only the first): on a busy machine the
            # others may still be importing while the first one answers everything.
            deadline = time.monotonic() + 60
            while log.read_text().count(READY) < workers:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(log.read_text())
                time.sleep(0.2)
            urllib.request.urlopen(url + "/gezondheid", timeout=10)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)
