"""Build step: a wheel carries the app's top-level folders inside the krsd package.

The checkout keeps templates/, static/ and migrations/ at the top (the project's
layout); an installed build has no checkout, so they are copied to krsd/<folder>
in the build, where krsd/paths.py looks first. Everything else is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

APP_FOLDERS = ("templates", "static", "migrations")
HERE = Path(__file__).resolve().parent


def app_files() -> list[Path]:
    """The files of the app's folders, relative to the checkout, without bytecode."""
    return [
        path.relative_to(HERE)
        for name in APP_FOLDERS
        for path in sorted((HERE / name).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]


class BuildPyWithAppFolders(build_py):
    """build_py that also places the app's folders under krsd/ in the build."""

    def run(self):
        super().run()
        if self.editable_mode:
            return  # an editable install reads them from the checkout
        package = Path(self.build_lib) / "krsd"
        for name in APP_FOLDERS:
            shutil.rmtree(package / name, ignore_errors=True)  # nothing left from a former build
        for path in app_files():
            (package / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(HERE / path, package / path)

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode)
        if self.editable_mode:
            return outputs
        return outputs + [str(Path(self.build_lib) / "krsd" / path) for path in app_files()]


setup(cmdclass={"build_py": BuildPyWithAppFolders})
