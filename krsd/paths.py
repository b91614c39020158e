"""Where the app finds its own files, in a checkout and in an installed build.

A checkout keeps templates/, static/ and migrations/ next to the package (the
project's layout); a wheel carries them inside the package (setup.py copies them
there at build time). The folders inside the package are looked for first: a
checkout never has them, an installed build always does.
"""

import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
#: True when the app runs from an installed build rather than from a checkout
INSTALLED = (PACKAGE / "migrations").is_dir()
#: the folder that holds templates/, static/ and migrations/
APP_FILES = PACKAGE if INSTALLED else PACKAGE.parent

TEMPLATES = APP_FILES / "templates"
STATIC = APP_FILES / "static"
MIGRATIONS = APP_FILES / "migrations"

# An installed build must not write next to its code (site-packages): like Flask's own
# default for installed packages, the instance folder then belongs to the environment.
DEFAULT_INSTANCE = (
    Path(sys.prefix) / "var" / "krsd-instance" if INSTALLED else PACKAGE.parent / "instance"
)
