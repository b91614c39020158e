"""The main forms, each sent once empty or wrong, for the accessibility sweep: the page that
answers shows the errors, and that page too must pass axe-core and fit a phone."""

from dataclasses import dataclass

#: every field a person types in; emptied before sending (hidden ones too)
_EMPTY_TYPED_FIELDS = """form => {
    form.noValidate = true;
    form.querySelectorAll(
        'textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio])' +
        ':not([type=submit]):not([type=file])'
    ).forEach(field => { field.value = ''; });
}"""

#: what a page with a form error shows (the summary, a message at a field, or an alert)
ERROR_SHOWN = ".error-summary, .form-errors, .error, [role=alert]"


@dataclass(frozen=True)
class FormError:
    role: str
    endpoint: str
    #: the accessible name of the button that sends the form
    button: str
    #: (label, option value) chosen before sending, to make the input wrong
    choose: tuple[tuple[str, str], ...] = ()


FORM_ERRORS = (
    FormError("bezoeker", "auth.login", "Inloggen"),
    FormError("bezoeker", "auth.register", "Account aanmaken"),
    FormError("bezoeker", "auth.forgot_password", "Stuur mij een link"),
    FormError("bezoeker", "auth.resend_confirmation", "Stuur mij een nieuwe link"),
    FormError("bezoeker", "auth.reset_password", "Wachtwoord instellen"),
    FormError("professional", "portfolio.new_activity", "Toevoegen"),
    FormError("professional", "auth.profile", "Opslaan"),
    FormError("professional", "auth.change_password", "Wachtwoord wijzigen"),
    FormError("professional", "certification.extension", "Verzoek indienen"),
    FormError("aanvrager", "certification.apply", "Aanvraag indienen"),
    FormError("aanvrager", "certification.lodge_appeal", "Bezwaar indienen"),
    FormError(
        "commissie", "certification.review", "Oordeel opslaan", (("Oordeel", "accepted_fewer"),)
    ),
    FormError("commissie", "certification.review", "Aanvulling vragen"),
    FormError("commissie", "certification.review", "Besluit vastleggen"),
    FormError("opleider", "courses.new_course", "Opslaan"),
    FormError("opleider", "courses.new_edition", "Opslaan"),
    FormError("opleider", "courses.new_session", "Toevoegen"),
    FormError("opleider", "courses.request_accreditation", "Aanvraag indienen"),
    FormError("opleider", "courses.attendance", "Bestand controleren"),
    FormError("registerbureau", "courses.new_accredited", "Opslaan"),
    FormError("registerbureau", "admin.regulations", "Versie toevoegen"),
    FormError("registerbureau", "admin.certificate_detail", "Schorsen"),
    FormError("registerbureau", "courses.withdraw_accreditation", "Intrekken"),
)


def show_form_error(page, address: str, form: FormError) -> None:
    """Open ``address``, send the form of ``form.button`` with every typed field empty, and
    wait for the page that answers, which must show an error."""
    page.goto(address)
    button = page.locator("main").get_by_role("button", name=form.button, exact=True).first
    element = button.locator("xpath=ancestor::form[1]")
    element.evaluate(_EMPTY_TYPED_FIELDS)
    for label, value in form.choose:
        element.get_by_label(label, exact=True).select_option(value)
    with page.expect_navigation():
        button.click()
    assert page.locator(ERROR_SHOWN).first.is_visible(), f"no error shown after {form}"
