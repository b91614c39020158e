"""The house rules a script can check: pure rules modules, thin blueprint packages."""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "krsd"
#: pure modules: the rules of each package, the cycle of certificates, conflicts of interest
RULES = sorted(
    [
        *PACKAGE.rglob("rules.py"),
        PACKAGE / "certification" / "cycle.py",
        PACKAGE / "certification" / "conflicts.py",
        PACKAGE / "courses" / "edition_rules.py",
    ]
)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_there_are_rules_modules():
    assert RULES


@pytest.mark.parametrize("path", RULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_rules_import_only_the_standard_library_and_other_rules(path):
    for name in _imports(path):
        top = name.split(".")[0]
        allowed = top in sys.stdlib_module_names or (
            name.startswith("krsd.") and name.endswith((".rules", ".cycle"))
        )
        assert allowed, f"{path.name} imports {name}"


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.glob("*/__init__.py")),
    ids=lambda p: p.parent.name,
)
def test_blueprint_packages_hold_only_the_blueprint(path):
    assert _imports(path) <= {"flask"}
