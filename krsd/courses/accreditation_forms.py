"""Forms of the accreditation workflow: the trainer's request, the registerbureau's steps."""

from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from krsd.courses.accreditation import MAX_ATTACHMENTS
from krsd.courses.catalogue_forms import ChoiceField, HoursField, text_field
from krsd.forms_common import DutchDateField, choices

AUDIT_REASON = "Toelichting (auditlog)"


class RequestForm(FlaskForm):
    hours_requested = HoursField("Gevraagde uren", description="Het aantal educatie-uren.")
    programme_text = text_field(
        "Programma", 5000, area=True, description="Onderdelen, duur en werkvormen."
    )
    learning_goals = text_field("Leerdoelen", 5000, area=True)
    files = MultipleFileField(
        "Bijlagen",
        description=f"Hoogstens {MAX_ATTACHMENTS} bestanden: PDF, PNG, JPEG, DOCX of ODT.",
    )


def _date(label):
    return DutchDateField(label, validators=[InputRequired("Vul de datum in.")])


class GrantForm(FlaskForm):
    number = text_field("Accreditatienummer", 40, description="Bijvoorbeeld KRSD-A-2026-014.")
    hours = HoursField("Geaccrediteerde uren")
    valid_from = _date("Geldig van")
    valid_until = _date("Geldig tot en met")
    remark = text_field(AUDIT_REASON, 1000, area=True)
    grant = SubmitField("Toekennen")

    def validate_valid_until(self, field) -> None:
        if self.valid_from.data and field.data and field.data < self.valid_from.data:
            raise ValidationError("De einddatum ligt vóór de begindatum.")


class RefuseForm(FlaskForm):
    reason = text_field(
        "Reden van de afwijzing", 1000, area=True, description="De trainers lezen deze reden."
    )
    refuse = SubmitField("Afwijzen")


class ExtendForm(FlaskForm):
    valid_until = _date("Nieuwe einddatum (geldig tot en met)")
    reason = text_field(AUDIT_REASON, 1000, area=True)


class WithdrawForm(FlaskForm):
    withdrawn_on = _date("Ingetrokken met ingang van")
    reason = text_field("Reden van de intrekking", 1000, area=True)


class ModuleForm(FlaskForm):
    module = ChoiceField(
        "Module van de Leergang Leerplicht/RMC",
        choices=choices(
            [("", "Geen module"), ("1", "Module 1"), ("2", "Module 2"), ("3", "Module 3")]
        ),
    )
    reason = text_field(AUDIT_REASON, 1000, area=True)
