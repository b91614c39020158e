"""Production installs a build, not a checkout: the wheel alone must migrate and serve.

The build goes the way ``python -m build`` goes (sdist, then a wheel from the sdist),
so a folder missing from MANIFEST.in or from setup.py's build step fails here.
"""

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.servers import app_env, gunicorn

REPO = Path(__file__).resolve().parent.parent
#: the checkout's virtualenv: its setuptools builds (no network) and its pip installs
BIN = Path(sys.executable).parent
# What a working copy holds besides the sources; none of it may decide what the build carries.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "instance", "build", "dist", "*.egg-info", "__pycache__", ".*cache*"
)

pytestmark = [
    pytest.mark.slow,
    # The two passes run side by side and the SQLite pass carries the accessibility
    # sweep: the build's test (its own SQLite file either way) evens them out.
    pytest.mark.skipif(
        not os.environ.get("KRSD_TEST_DATABASE_URL"),
        reason="runs once, in the PostgreSQL pass: the build is under test, not the database",
    ),
]


def _outside_checkout(env: dict) -> dict:
    """No path back into the checkout: what runs must come from the new virtualenv."""
    return {k: v for k, v in env.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}


def _run(args: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel built from this checkout and its dependencies."""
    tmp = tmp_path_factory.mktemp("wheel")
    source, dist = tmp / "source", tmp / "dist"
    # Built from a copy, so the build leaves no build/ folder in the shared working tree.
    shutil.copytree(REPO, source, ignore=NOT_SOURCES)
    build_sdist = (
        "import sys; from setuptools import build_meta; build_meta.build_sdist(sys.argv[1])"
    )
    _run([BIN / "python", "-c", build_sdist, dist], cwd=source)
    (sdist,) = dist.glob("krsd-*.tar.gz")
    _run([BIN / "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", dist, sdist], cwd=tmp)
    (wheel,) = dist.glob("krsd-*.whl")

    venv = tmp / "venv"
    _run([BIN / "python", "-m", "venv", "--without-pip", venv], cwd=tmp)
    # Dependencies come from the index through pip's cache; bytecode is written on first import.
    install = ["install", "--quiet", "--no-compile", wheel]
    _run([BIN / "pip", "--python", venv / "bin" / "python", *install], cwd=tmp)
    return venv


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    """A working directory outside the checkout, as on a production machine."""
    (tmp_path / "run").mkdir()
    return tmp_path / "run"


def test_the_installed_package_is_the_build_not_the_checkout(venv, elsewhere):
    script = (
        "import json, krsd, krsd.paths as p; print(json.dumps({'package': krsd.__file__, "
        "'templates': str(p.TEMPLATES), 'static': str(p.STATIC), "
        "'migrations': str(p.MIGRATIONS), 'instance': str(p.DEFAULT_INSTANCE)}))"
    )
    out = _run([venv / "bin" / "python", "-c", script], elsewhere, _outside_checkout(os.environ))
    found = {name: Path(path) for name, path in json.loads(out.stdout).items()}

    site_packages = next((venv / "lib").glob("python3*/site-packages"))
    assert found["package"].is_relative_to(site_packages)
    for name in ("templates", "static", "migrations"):
        assert found[name].is_relative_to(site_packages / "krsd"), name
        assert found[name].is_dir(), name
    # Nothing written next to the code: the instance folder belongs to the environment.
    assert found["instance"] == venv / "var" / "krsd-instance"
    assert not any(path.is_relative_to(REPO) for path in found.values())


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_build_migrates_an_empty_database_and_serves_pages(venv, elsewhere):
    env = _outside_checkout(
        app_env(f"sqlite:///{elsewhere / 'krsd.sqlite3'}", elsewhere / "instance")
    )
    upgrade = _run([venv / "bin" / "flask", "--app", "krsd", "db", "upgrade"], elsewhere, env)
    assert "Running upgrade" in upgrade.stderr

    with gunicorn(env, 1, elsewhere / "gunicorn.log", bin_dir=venv / "bin", cwd=elsewhere) as url:
        home, register, search, css, missing = (
            _get(url + path)
            for path in ("/", "/register", "/register?q=jansen", "/static/css/krsd.css", "/nergens")
        )

    assert home[0] == 200 and "Kwaliteitsregister Sociaal Domein" in home[1].decode()
    assert register[0] == 200 and "Openbaar register" in register[1].decode()
    assert search[0] == 200  # the register's search columns came from the shipped migrations
    assert css == (200, (REPO / "static" / "css" / "krsd.css").read_bytes())
    # The failure the build used to end in: the error page's template was not there.
    assert missing[0] == 404 and "Foutcode 404" in missing[1].decode()
