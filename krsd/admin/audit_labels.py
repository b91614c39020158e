"""The audit log in Dutch: a label per action, a noun per object type, Dutch detail keys.

Every action string the code records has a label here; ``tests/admin/test_audit_log.py``
scans the source, so a new action cannot be added without one.
"""

import re
from datetime import date

from krsd.certification.rules import (
    APPEAL_STATE_LABELS,
    EXTENSION_REASON_LABELS,
    STATE_LABELS,
    VERDICT_LABELS,
    Action,
)
from krsd.formatting import nl_date, nl_hours

_APPLICATION_STEPS = {
    Action.CLAIM: "Aanvraag in behandeling genomen",
    Action.REQUEST_INFO: "Aanvulling gevraagd",
    Action.RESUBMIT: "Aanvulling ingediend",
    Action.APPROVE: "Aanvraag goedgekeurd",
    Action.REJECT: "Aanvraag afgewezen",
    Action.WITHDRAW: "Aanvraag ingetrokken",
    Action.REASSIGN: "Aanvraag aan andere beoordelaar gegeven",
    Action.REOPEN: "Aanvraag opnieuw in behandeling (bezwaar)",
}

ACTION_LABELS: dict[str, str] = {
    # accounts and logins
    "auth.account_created": "Account aangemaakt",
    "auth.login": "Ingelogd",
    "auth.logout": "Uitgelogd",
    "auth.login_failed": "Inloggen mislukt",
    "auth.login_throttled": "Inloggen tijdelijk geblokkeerd",
    "auth.password_accepted": "Wachtwoord juist (tweede stap volgt)",
    "auth.password_changed": "Wachtwoord gewijzigd",
    "auth.password_reset": "Wachtwoord hersteld",
    "auth.profile_changed": "Profiel gewijzigd",
    "auth.reset_requested": "Wachtwoordherstel aangevraagd",
    "auth.reset_requested_unknown": "Wachtwoordherstel aangevraagd (onbekend adres)",
    "auth.second_factor_enrolled": "Tweestapsverificatie ingesteld",
    "auth.second_factor_failed": "Verkeerde verificatiecode",
    "auth.recovery_codes_regenerated": "Nieuwe herstelcodes gemaakt",
    "auth.email_confirmed": "E-mailadres bevestigd",
    "auth.login_unconfirmed": "Inloggen geweigerd: e-mailadres niet bevestigd",
    "auth.confirmation_resent": "Nieuwe bevestigingslink gestuurd",
    "auth.confirmation_requested_other": (
        "Bevestigingslink aangevraagd (onbekend of al bevestigd adres)"
    ),
    "auth.unconfirmed_account_removed": "Onbevestigd account verwijderd",
    # the registerbureau
    "admin.account_blocked": "Account geblokkeerd",
    "admin.account_unblocked": "Account gedeblokkeerd",
    "admin.roles_changed": "Rollen gewijzigd",
    "admin.second_factor_reset": "Tweestapsverificatie opnieuw ingesteld",
    "admin.regulation_added": "Reglementversie toegevoegd",
    "admin.regulation_changed": "Reglementversie gewijzigd",
    "admin.regulation_removed": "Reglementversie verwijderd",
    "admin.certificates_downloaded": "Certificaten gedownload (ZIP)",
    # the portfolio
    "portfolio.activity_logged": "Activiteit toegevoegd",
    "portfolio.activity_changed": "Activiteit gewijzigd",
    "portfolio.activity_deleted": "Activiteit verwijderd",
    "portfolio.activity_credited": "Opleiding bijgeschreven in portfolio",
    "portfolio.activity_credit_withdrawn": "Bijgeschreven opleiding teruggedraaid",
    "portfolio.evidence_added": "Bewijsstuk toegevoegd",
    "portfolio.evidence_deleted": "Bewijsstuk verwijderd",
    "portfolio.evidence_downloaded": "Bewijsstuk gedownload",
    # certification
    "certification.submit": "Aanvraag ingediend",
    **{f"certification.{action.value}": label for action, label in _APPLICATION_STEPS.items()},
    "certification.judge_activity": "Activiteit beoordeeld",
    "certification.certificate_issued": "Certificaat uitgegeven",
    "certification.appeal_lodged": "Bezwaar ingediend",
    "certification.appeal_assigned": "Bezwaar toegewezen",
    "certification.appeal_claimed": "Bezwaar in behandeling genomen",
    "certification.appeal_granted": "Bezwaar gegrond",
    "certification.appeal_upheld": "Bezwaar ongegrond",
    # the register
    "register.certificate_suspended": "Certificaat geschorst",
    "register.certificate_suspension_lifted": "Schorsing opgeheven",
    "register.suspension_ended": "Schorsing afgelopen",
    "register.certificate_revoked": "Certificaat ingetrokken",
    "register.certificate_extended": "Certificaat verlengd (uitstel)",
    "register.certificate_reissued": "Certificaat opnieuw uitgegeven",
    "register.extension_requested": "Uitstel aangevraagd",
    "register.extension_pending": "Uitstelverzoek in afwachting",
    "register.extension_granted": "Uitstel toegekend",
    "register.extension_refused": "Uitstel geweigerd",
    "register.name_change_requested": "Naamswijziging aangevraagd",
    "register.name_change_pending": "Naamswijziging in afwachting",
    "register.name_change_approved": "Naamswijziging goedgekeurd",
    "register.name_change_refused": "Naamswijziging geweigerd",
    # courses
    "courses.course_created": "Opleiding aangemaakt",
    "courses.course_changed": "Opleiding gewijzigd",
    "courses.course_status_changed": "Status van opleiding gewijzigd",
    "courses.trainer_added": "Trainer toegevoegd",
    "courses.trainer_removed": "Trainer verwijderd",
    "courses.accreditation_requested": "Accreditatie aangevraagd",
    "courses.accreditation_granted": "Accreditatie toegekend",
    "courses.accreditation_changed": "Accreditatie gewijzigd",
    "courses.accreditation_refused": "Accreditatie geweigerd",
    "courses.accreditation_extended": "Accreditatie verlengd",
    "courses.accreditation_withdrawn": "Accreditatie ingetrokken",
    "courses.programme_module_set": "Leergangmodule ingesteld",
    "courses.edition_created": "Uitvoering aangemaakt",
    "courses.edition_changed": "Uitvoering gewijzigd",
    "courses.session_added": "Bijeenkomst toegevoegd",
    "courses.session_removed": "Bijeenkomst verwijderd",
    "courses.enrolled": "Ingeschreven",
    "courses.enrolment_cancelled": "Inschrijving geannuleerd",
    "courses.enrolment_promoted": "Van wachtlijst geplaatst",
    "courses.result_recorded": "Resultaat vastgelegd",
    "courses.diploma_issued": "Diploma uitgereikt",
    "courses.calendar_renewed": "Agendalink vernieuwd",
    # privacy
    "privacy.data_exported": "Gegevens gedownload (inzage)",
    "privacy.erasure_requested": "Verwijdering aangevraagd",
    "privacy.erasure_refused": "Verwijdering geweigerd",
    "privacy.erased": "Persoonsgegevens verwijderd",
    "privacy.retention_evidence_removed": "Bewijsstukken verwijderd (bewaartermijn)",
}

OBJECT_NOUNS: dict[str, str] = {
    "user": "Account",
    "login": "Inlogpoging",
    "calendar_feed": "Agendalink",
    "application": "Aanvraag",
    "certificate": "Certificaat",
    "appeal": "Bezwaar",
    "name_change_request": "Naamswijziging",
    "extension_request": "Uitstelverzoek",
    "regulation": "Reglement",
    "activity": "Activiteit",
    "evidence": "Bewijsstuk",
    "course": "Opleiding",
    "accreditation": "Accreditatie",
    "accreditation_request": "Accreditatieaanvraag",
    "programme": "Leergang",
    "edition": "Uitvoering",
    "course_session": "Bijeenkomst",
    "enrolment": "Inschrijving",
    "diploma": "Diploma",
    "erasure_request": "Verwijderverzoek",
}

DETAIL_LABELS: dict[str, str] = {
    "accepted_hours": "Geaccepteerde uren",
    "accreditation": "Accreditatienummer",
    "activities": "Activiteiten",
    "activities_keeping_hours": "Activiteiten die hun uren houden",
    "activity": "Activiteit",
    "activity_id": "Activiteit",
    "added": "Toegevoegd",
    "all_remaining": "Alle overige",
    "appeal_id": "Bezwaar",
    "application_id": "Aanvraag",
    "attachments": "Bijlagen",
    "attended": "Aanwezig",
    "category": "Categorie",
    "ceiling": "Grens",
    "certificate_id": "Certificaat",
    "certificates": "Certificaten",
    "changed": "Gewijzigd",
    "changes": "Wijzigingen",
    "completed": "Afgerond",
    "conflict_statement": "Geen belangenconflict verklaard",
    "conflicts": "Belangenconflicten",
    "count": "Aantal",
    "course": "Opleiding",
    "course_id": "Opleiding",
    "day": "Dag",
    "deadline": "Uiterste datum",
    "demo": "Demo",
    "edition": "Uitvoering",
    "ends_at": "Eindtijd",
    "enrolment": "Inschrijving",
    "evidence": "Bewijsstuk",
    "evidence_files": "Bewijsstukken",
    "extension_reason": "Reden uitstel",
    "extension_request_id": "Uitstelverzoek",
    "files": "Bestanden",
    "files_removed": "Bestanden verwijderd",
    "from_state": "Van",
    "grade": "Resultaat",
    "granted_until": "Toegekend tot en met",
    "handler": "Behandelaar",
    "holder": "Houder",
    "holder_name": "Naam houder",
    "hours": "Uren",
    "hours_requested": "Aangevraagde uren",
    "kind": "Soort",
    "label": "Omschrijving",
    "location": "Plaats",
    "month": "Maand",
    "new_module": "Nieuwe module",
    "new_status": "Nieuwe status",
    "new_valid_until": "Nieuw geldig tot en met",
    "number": "Nummer",
    "old_module": "Oude module",
    "old_name": "Oude naam",
    "old_status": "Oude status",
    "old_valid_until": "Oud geldig tot en met",
    "origin": "Herkomst",
    "original_valid_until": "Oorspronkelijk geldig tot en met",
    "owner": "Eigenaar",
    "participant": "Deelnemer",
    "passed": "Geslaagd",
    "person": "Persoon",
    "position": "Plaats op wachtlijst",
    "previous_certificate": "Vorig certificaat",
    "previous_handler": "Vorige behandelaar",
    "previous_valid_until": "Vorige einddatum",
    "programme": "Leergang",
    "registration_number": "Registratienummer",
    "reissued_certificates": "Opnieuw uitgegeven certificaten",
    "released_activities": "Vrijgegeven activiteiten",
    "removed": "Verwijderd",
    "request_id": "Verzoek",
    "requested_name": "Gevraagde naam",
    "roles": "Rollen",
    "source": "Bron",
    "starts_at": "Begintijd",
    "starts_on": "Gaat in op",
    "state": "Status",
    "suspended_at": "Geschorst op",
    "suspended_until": "Geschorst tot en met",
    "suspension_reason": "Reden schorsing",
    "title": "Titel",
    "to_state": "Naar",
    "trainer": "Trainer",
    "trainer_id": "Trainer",
    "valid_from": "Geldig vanaf",
    "valid_on": "Geldig op",
    "valid_until": "Geldig tot en met",
    "verdict": "Oordeel",
    "verification_code": "Verificatiecode",
    "version": "Versie",
    "was": "Was",
    "withdrawn_on": "Ingetrokken op",
}

#: details that hold hours: shown as Dutch numbers (26,5)
HOUR_KEYS = frozenset({"accepted_hours", "hours", "hours_requested"})
#: details whose value is a state or verdict with a Dutch label
VALUE_LABELS = {
    "from_state": {s.value: label for s, label in STATE_LABELS.items()}
    | {s.value: label for s, label in APPEAL_STATE_LABELS.items()},
    "to_state": {s.value: label for s, label in STATE_LABELS.items()}
    | {s.value: label for s, label in APPEAL_STATE_LABELS.items()},
    "verdict": {v.value: label for v, label in VERDICT_LABELS.items()},
    "extension_reason": {r.value: label for r, label in EXTENSION_REASON_LABELS.items()},
    "kind": {"initial": "Certificering", "renewal": "Herregistratie"},
}
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def object_noun(object_type: str | None) -> str:
    return OBJECT_NOUNS.get(object_type or "", object_type or "")


def detail_value(key: str, value) -> str:
    """One detail as the registerbureau reads it: hours and dates Dutch, states labelled."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list | tuple):
        return ", ".join(detail_value(key, v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{detail_label(k)}: {detail_value(k, v)}" for k, v in value.items())
    if key in HOUR_KEYS:
        try:
            return nl_hours(value)
        except ArithmeticError:
            return str(value)
    if key in VALUE_LABELS:
        return VALUE_LABELS[key].get(str(value), str(value))
    if isinstance(value, str) and ISO_DAY.match(value):
        try:
            return nl_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def detail_label(key: str) -> str:
    return DETAIL_LABELS.get(key, key.replace("_", " "))


def details(details_dict: dict) -> list[tuple[str, str]]:
    """The details of an entry as (Dutch key, Dutch value) pairs."""
    return [(detail_label(k), detail_value(k, v)) for k, v in details_dict.items()]
