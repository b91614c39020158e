"""Account forms."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    ValidationError,
)

from krsd.auth.rules import FUNCTION_LABELS, PROVINCE_LABELS, password_problems
from krsd.forms_common import choices, no_control_characters, strip

REQUIRED = "Dit veld is verplicht."


def _email_field(label: str = "E-mailadres") -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        validators=[
            DataRequired(REQUIRED),
            Length(max=254, message="Een e-mailadres is hoogstens 254 tekens."),
            Email("Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.nl."),
        ],
    )


class _NewPasswordMixin:
    def validate_password(self, field) -> None:
        email = getattr(self, "email", None)
        name = getattr(self, "name", None)
        problems = password_problems(
            field.data or "", email.data if email else "", name.data if name else ""
        )
        if problems:
            raise ValidationError(" ".join(problems))


def _new_password_fields(label: str = "Nieuw wachtwoord"):
    password = PasswordField(
        label,
        validators=[DataRequired(REQUIRED), Length(max=200, message="Hoogstens 200 tekens.")],
        description="Minstens 10 tekens. Een zin van een paar woorden werkt goed.",
    )
    confirm = PasswordField(
        "Herhaal het wachtwoord",
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", "De twee wachtwoorden zijn niet gelijk."),
        ],
    )
    return password, confirm


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField("Wachtwoord", validators=[DataRequired(REQUIRED)])


class RegistrationForm(_NewPasswordMixin, FlaskForm):
    name = StringField(
        "Volledige naam",
        filters=[strip],
        validators=[
            DataRequired(REQUIRED),
            Length(max=120, message="Hoogstens 120 tekens."),
            no_control_characters,
        ],
        description="Zoals die op uw certificaat moet staan.",
    )
    email = _email_field()
    function = SelectField(
        "Functie",
        choices=choices(
            [("", "Kies uw functie")] + [(f.value, label) for f, label in FUNCTION_LABELS.items()]
        ),
        validators=[DataRequired("Kies uw functie.")],
    )
    employer = StringField(
        "Werkgever",
        filters=[strip],
        validators=[
            DataRequired(REQUIRED),
            Length(max=160, message="Hoogstens 160 tekens."),
            no_control_characters,
        ],
        description="Bijvoorbeeld Gemeente Utrecht of RMC-regio Rijk van Nijmegen.",
    )
    province = SelectField(
        "Provincie waar u werkt",
        choices=choices(
            [("", "Geen opgave")] + [(p.value, label) for p, label in PROVINCE_LABELS.items()]
        ),
        validators=[
            Optional(),
            AnyOf([p.value for p in PROVINCE_LABELS], "Kies een provincie uit de lijst."),
        ],
        validate_choice=False,  # the Dutch message above instead of WTForms' English one
        description="Niet verplicht. Het registerbureau telt hiermee per provincie.",
    )
    public_listing_consent = BooleanField(
        "Ja, vermeld mij in het openbare register zodra ik gecertificeerd ben"
    )
    password, confirm = _new_password_fields("Wachtwoord")


class ProfileForm(FlaskForm):
    name = RegistrationForm.name
    function = RegistrationForm.function
    employer = RegistrationForm.employer
    province = RegistrationForm.province
    public_listing_consent = BooleanField(
        "Vermeld mij in het openbare register (zolang mijn certificaat geldig is)"
    )
    #: asked only of certified people, whose new name the registerbureau approves first
    name_change_explanation = TextAreaField(
        "Toelichting bij een nieuwe naam",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=1000, message="Hoogstens 1000 tekens."),
            no_control_characters,
        ],
    )


class ChangePasswordForm(_NewPasswordMixin, FlaskForm):
    current = PasswordField("Huidig wachtwoord", validators=[DataRequired(REQUIRED)])
    password, confirm = _new_password_fields()


class ResetRequestForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(_NewPasswordMixin, FlaskForm):
    password, confirm = _new_password_fields()


class SecondFactorForm(FlaskForm):
    code = StringField(
        "Code",
        filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=32, message="Hoogstens 32 tekens.")],
    )
