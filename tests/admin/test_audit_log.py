"""The audit log speaks Dutch: labelled actions, objects named and linked, Dutch details;
filtered by action, person and dates; exported as CSV and XLSX."""

import ast
import io
import pathlib
import re
from datetime import timedelta

import pandas as pd
import pytest

from krsd import audit
from krsd.admin import audit_labels
from krsd.auth.rules import RoleName
from krsd.certification.rules import Action, ExtensionState, NameChangeState
from krsd.extensions import db
from tests.certification.test_daily import certify
from tests.clock import TODAY

URL = "/beheer/auditlog"
SOURCE = pathlib.Path(__file__).parents[2] / "krsd"
ACTION = re.compile(r"^(auth|admin|portfolio|courses|certification|register|privacy)\.[a-z_]+$")
#: the actions built from a state or step: every value they can take
EXPANSIONS = {
    "certification.{action.value}": [f"certification.{a.value}" for a in Action],
    "register.extension_{request.state.value}": [
        f"register.extension_{s.value}" for s in ExtensionState
    ],
    "register.name_change_{state.value}": [
        f"register.name_change_{s.value}" for s in NameChangeState
    ],
}


def _is_audit_record(node) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "record"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "audit"
    )


def _actions_in_source(endpoints: set[str]) -> set[str]:
    """Every action the code can record: the first arguments of audit.record (literal, either
    branch of a condition, a formatted string expanded), and every other literal that looks
    like an action (passed on through a variable) and is not an endpoint name."""
    actions = set()
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        formatted = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                formatted.update(id(v) for v in node.values)
            if not _is_audit_record(node) or not node.args:
                continue
            first = node.args[0]
            for part in [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]:
                if isinstance(part, ast.Constant):
                    actions.add(part.value)
                elif isinstance(part, ast.JoinedStr):
                    text = ast.unparse(part)[2:-1]
                    assert text in EXPANSIONS, f"{path}: expand {text!r} in this test"
                    actions.update(EXPANSIONS[text])
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and ACTION.match(node.value)
                and id(node) not in formatted
                and node.value not in endpoints
                and not node.value.endswith(".id")
            ):
                actions.add(node.value)
    return actions


def test_every_action_in_the_code_has_a_dutch_label(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    actions = _actions_in_source(endpoints)
    assert {"auth.login", "certification.judge_activity", "certification.approve"} <= actions
    missing = sorted(a for a in actions if a not in audit_labels.ACTION_LABELS)
    assert not missing, f"give these actions a label in krsd/admin/audit_labels.py: {missing}"


def test_every_object_type_has_a_dutch_noun():
    types = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        types.update(re.findall(r'audit_type = "([a-z_]+)"', text))
        types.update(re.findall(r'object_type="([a-z_]+)"', text))
    assert {"user", "application", "certificate", "login"} <= types
    assert not sorted(types - set(audit_labels.OBJECT_NOUNS))


@pytest.fixture
def admin_browser(make_user, make_browser):
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl", name="Bea Bureau")
    browser = make_browser()
    browser.login("bureau@example.nl")
    return browser


def _entries(make_user, count: int, start: int):
    for n in range(count):
        holder = make_user(email=f"h{start + n}@example.nl", name=f"Houder {start + n}")
        certificate = certify(holder, TODAY + timedelta(days=100))
        audit.record(
            "certification.judge_activity",
            certificate.application,
            actor=holder,
            accepted_hours="26.50",
            verdict="accepted",
        )
        audit.record("register.certificate_suspended", certificate, reason="Onderzoek.")
        audit.record("admin.roles_changed", holder, added=["trainer"])
    db.session.commit()


def test_the_log_names_and_links_its_objects_in_dutch(make_user, admin_browser):
    _entries(make_user, 1, 0)
    html = admin_browser.get(URL).get_data(as_text=True)
    assert (
        '<td data-label="Actie">Activiteit beoordeeld</td>' in html
        and "certification.judge_activity</" not in html
    )
    assert "Geaccepteerde uren: 26,5" in html and "Oordeel: Geaccepteerd" in html
    assert 'Aanvraag: <a href="/commissie/aanvragen/' in html and "Houder 0 (aanvraag" in html
    assert 'Certificaat: <a href="/beheer/certificaten/' in html and "KRSD-" in html
    assert 'Account: <a href="/beheer/accounts/' in html


def test_the_log_filters_by_action_person_and_dates(make_user, admin_browser):
    _entries(make_user, 2, 0)
    html = admin_browser.get(f"{URL}?action=register.certificate_suspended").get_data(as_text=True)
    assert html.count('<td data-label="Actie">Certificaat geschorst</td>') == 2
    assert '<td data-label="Actie">Rollen gewijzigd</td>' not in html
    html = admin_browser.get(f"{URL}?actor=Houder+1").get_data(as_text=True)
    assert html.count('<td data-label="Actie">Activiteit beoordeeld</td>') == 1
    later = (TODAY + timedelta(days=1)).isoformat()
    html = admin_browser.get(f"{URL}?date_from={later}").get_data(as_text=True)
    assert "Geen regels gevonden." in html


def test_the_filtered_log_downloads_as_xlsx_and_csv(make_user, admin_browser):
    _entries(make_user, 2, 0)
    response = admin_browser.get(f"{URL}?action=certification.judge_activity&format=xlsx")
    frame = pd.read_excel(io.BytesIO(response.data))
    assert list(frame["Actie"]) == ["Activiteit beoordeeld"] * 2
    assert frame["Naam object"].str.contains("Houder").all()
    assert frame["Details"].str.contains("Geaccepteerde uren: 26,5").all()
    assert pd.api.types.is_datetime64_any_dtype(frame["Tijdstip"])
    text = admin_browser.get(f"{URL}?format=csv").data.decode("utf-8-sig")
    assert text.splitlines()[0].split(";")[:3] == ["Tijdstip", "Door", "Actie"]
    assert admin_browser.get(f"{URL}?format=doc").status_code == 404


def test_a_page_of_the_log_runs_the_same_number_of_queries_at_two_sizes(make_user, admin_browser):
    _entries(make_user, 2, 0)
    few = admin_browser.queries_for(URL)
    _entries(make_user, 8, 100)
    assert admin_browser.queries_for(URL) == few
