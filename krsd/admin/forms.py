"""Registerbureau forms."""

from datetime import date, datetime
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from krsd.admin import audit_labels
from krsd.auth.rules import ROLE_LABELS
from krsd.forms_common import DutchDateField, HoursField, choices, no_control_characters, strip


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _reason_field() -> TextAreaField:
    return TextAreaField(
        "Reden",
        filters=[strip],
        validators=[
            DataRequired("Geef een reden op; die komt in het auditlog."),
            Length(max=1000, message="Hoogstens 1000 tekens."),
            no_control_characters,
        ],
    )


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(
        "Rollen", choices=choices((r.value, label) for r, label in ROLE_LABELS.items())
    )
    reason = _reason_field()


class ActiveForm(FlaskForm):
    reason = _reason_field()


class SecondFactorResetForm(FlaskForm):
    reason = _reason_field()


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Zoek op naam of e-mailadres", filters=[strip], validators=[Optional()])
    role = SelectField(
        "Rol",
        choices=choices(
            [("", "Alle rollen")] + [(r.value, label) for r, label in ROLE_LABELS.items()]
        ),
        validators=[Optional()],
    )


def _plausible_date(_form, field) -> None:
    """A filter date the log can hold; year 1 or 9999 would overflow the day's bounds."""
    if field.data and not date(2000, 1, 1) <= field.data <= date(2999, 12, 31):
        raise ValidationError("Kies een datum tussen 1-1-2000 en 31-12-2999.")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(
        "Actie",
        choices=choices(
            [("", "Alle acties")]
            + sorted(audit_labels.ACTION_LABELS.items(), key=lambda pair: pair[1].lower())
        ),
        validators=[Optional()],
    )
    actor = StringField(
        "Door (naam of e-mailadres)", filters=[strip], validators=[Optional(), Length(max=254)]
    )
    object_id = StringField("Object-id", filters=[strip], validators=[Optional(), Length(max=64)])
    date_from = DutchDateField("Vanaf", validators=[Optional(), _plausible_date])
    date_until = DutchDateField("Tot en met", validators=[Optional(), _plausible_date])


def _decimal(label: str):
    return HoursField(
        label,
        validators=[
            InputRequired("Vul een aantal uren in."),
            NumberRange(min=Decimal("0"), max=Decimal("1000"), message="Tussen 0 en 1000."),
        ],
    )


def _whole(label: str, low: int, high: int):
    return IntegerField(
        label,
        validators=[
            InputRequired("Vul een heel getal in."),
            NumberRange(min=low, max=high, message=f"Tussen {low} en {high}."),
        ],
    )


class RegulationForm(FlaskForm):
    starts_on = DutchDateField("In werking vanaf", validators=[InputRequired("Vul de datum in.")])
    total_hours = _decimal("Totaal aantal uren per cyclus")
    min_accredited = _decimal("Minimum geaccrediteerde uren")
    max_free = _decimal("Maximum uren vrije ruimte")
    cycle_years = _whole("Cyclus (jaren)", 1, 10)
    renewal_window_months = _whole("Herregistratie aanvragen vanaf (maanden voor afloop)", 0, 24)
    max_activity_hours = _decimal("Maximum uren per activiteit")
    max_extension_months = _whole("Uitstel hoogstens (maanden na de oorspronkelijke afloop)", 0, 24)
    appeal_weeks = _whole("Bezwaartermijn (weken na een afwijzing)", 1, 52)
    reminder_days = StringField(
        "Herinneringen (dagen voor afloop, met komma's)",
        filters=[strip],
        validators=[DataRequired("Vul de dagen in, bijvoorbeeld 180,90,30.")],
    )
    reason = _reason_field()

    #: the fields that make up a version (all but the reason)
    VERSION_FIELDS = (
        "starts_on",
        "total_hours",
        "min_accredited",
        "max_free",
        "cycle_years",
        "renewal_window_months",
        "max_activity_hours",
        "max_extension_months",
        "appeal_weeks",
    )

    def version_values(self) -> dict:
        """The version's values from a validated form, reminder days normalised."""
        values = {name: getattr(self, name).data for name in self.VERSION_FIELDS}
        values["reminder_days"] = ",".join(p.strip() for p in self.reminder_days.data.split(","))
        return values

    def validate_reminder_days(self, field) -> None:
        parts = [p.strip() for p in (field.data or "").split(",")]
        if not all(p.isdigit() and 0 < int(p) <= 730 for p in parts):
            raise ValidationError("Gebruik hele dagen tussen 1 en 730, gescheiden door komma's.")


class NameChangeDecisionForm(FlaskForm):
    """Approve or refuse one name-change request; the reason is mailed to the person."""

    reason = TextAreaField(
        "Reden (de aanvrager krijgt die te lezen)",
        filters=[strip],
        validators=[
            DataRequired("Geef een reden op; de aanvrager krijgt die te lezen."),
            Length(max=1000, message="Hoogstens 1000 tekens."),
            no_control_characters,
        ],
    )
    approve = SubmitField("Goedkeuren")
    refuse = SubmitField("Weigeren")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.approve.data == self.refuse.data:
            self.form_errors.append("Kies goedkeuren of weigeren.")
            return False
        return valid


class RegulationRemoveForm(FlaskForm):
    """Remove a version that has not started yet."""

    reason = _reason_field()


def _holder_text(label: str, required: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            DataRequired(required),
            Length(max=2000, message="Hoogstens 2000 tekens."),
            no_control_characters,
        ],
    )


HOLDER_READS = "Geef een reden op; de houder krijgt die te lezen."


class CertificateSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        "Zoek op registratienummer of naam",
        filters=[strip],
        validators=[Optional(), Length(max=100, message="Hoogstens 100 tekens.")],
    )


class SuspendForm(FlaskForm):
    reason = _holder_text("Reden van de schorsing (de houder krijgt die te lezen)", HOLDER_READS)
    until = DutchDateField(
        "Geschorst tot en met (optioneel)",
        validators=[Optional(), _plausible_date],
        description="Leeg: tot het registerbureau de schorsing opheft.",
    )


class LiftForm(FlaskForm):
    reason = _holder_text("Reden van het opheffen (de houder krijgt die te lezen)", HOLDER_READS)


class RevokeForm(FlaskForm):
    reason = _holder_text("Reden van de intrekking (de houder krijgt die te lezen)", HOLDER_READS)


class ExtensionDecisionForm(FlaskForm):
    """Grant (with a new end date) or refuse an extension request, always with a motivation."""

    new_end = DutchDateField(
        "Nieuwe einddatum (bij toekennen)", validators=[Optional(), _plausible_date]
    )
    motivation = _holder_text(
        "Motivering (de aanvrager krijgt die te lezen)",
        "Geef een motivering op; de aanvrager krijgt die te lezen.",
    )
    grant = SubmitField("Toekennen")
    refuse = SubmitField("Weigeren")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.grant.data == self.refuse.data:
            self.form_errors.append("Kies toekennen of weigeren.")
            return False
        if valid and self.grant.data and self.new_end.data is None:
            self.new_end.errors = [*self.new_end.errors, "Vul de nieuwe einddatum in."]
            return False
        return valid


class CertificateZipForm(FlaskForm):
    """A selection of certificates to download as one ZIP of PDFs."""

    month = StringField(
        "Uitgegeven in maand (jjjj-mm)",
        filters=[strip],
        validators=[Optional(), Length(max=7)],
        render_kw={"placeholder": "2026-05", "inputmode": "numeric"},
    )
    valid_on = DutchDateField("Geldig op", validators=[Optional(), _plausible_date])
    submit = SubmitField("Certificaten downloaden als ZIP")

    def validate_month(self, field) -> None:
        if not field.data:
            return
        try:
            day = datetime.strptime(field.data, "%Y-%m").date()
        except ValueError:
            raise ValidationError("Vul een maand in als jjjj-mm, bijvoorbeeld 2026-05.") from None
        if not date(2000, 1, 1) <= day <= date(2999, 12, 1):
            raise ValidationError("Kies een maand tussen 2000 en 2999.")

    @property
    def month_start(self) -> date | None:
        return datetime.strptime(self.month.data, "%Y-%m").date() if self.month.data else None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.month.data and not self.valid_on.data:
            self.month.errors = ["Kies een maand van uitgifte, een peildatum of allebei."]
            return False
        return True
