"""Registerbureau forms for the accredited catalogue."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from krsd.forms_common import DutchDateField, HoursField, no_control_characters, strip

REQUIRED = "Dit veld is verplicht."


def _text(label, max_length, required=True):
    checks = [
        Length(max=max_length, message=f"Hoogstens {max_length} tekens."),
        no_control_characters,
    ]
    if required:
        checks.insert(0, DataRequired(REQUIRED))
    return StringField(label, filters=[strip], validators=checks)


class AccreditedCourseForm(FlaskForm):
    title = _text("Titel van de opleiding", 200)
    provider = _text("Aanbieder", 160)
    description = TextAreaField(
        "Omschrijving",
        filters=[strip],
        validators=[Length(max=5000, message="Hoogstens 5000 tekens."), no_control_characters],
    )
    number = _text("Accreditatienummer", 40)
    hours = HoursField(
        "Geaccrediteerde uren",
        validators=[
            InputRequired("Vul het aantal uren in."),
            NumberRange(min=Decimal("0.5"), max=Decimal("200"), message="Tussen 0,5 en 200 uur."),
        ],
    )
    valid_from = DutchDateField("Geldig van", validators=[InputRequired("Vul de datum in.")])
    valid_until = DutchDateField(
        "Geldig tot en met", validators=[InputRequired("Vul de datum in.")]
    )
    reason = TextAreaField(
        "Toelichting (auditlog)",
        filters=[strip],
        validators=[
            DataRequired("Geef een toelichting; die komt in het auditlog."),
            Length(max=1000),
        ],
    )

    def validate_valid_until(self, field) -> None:
        if self.valid_from.data and field.data and field.data < self.valid_from.data:
            raise ValidationError("De einddatum ligt vóór de begindatum.")
