"""Portfolio forms."""

from flask_wtf import FlaskForm
from wtforms import MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from krsd.formatting import nl_hours
from krsd.forms_common import (
    DutchDateField,
    HoursField,
    choices,
    no_control_characters,
    strip,
)
from krsd.portfolio.rules import (
    CATEGORY_LABELS,
    FREE_TYPES,
    REFLECTION_QUESTIONS,
    TYPE_LABELS,
    Category,
    ReflectionQuestion,
    reflection_problem,
)

REQUIRED = "Dit veld is verplicht."


def _reflection_field(question: ReflectionQuestion) -> TextAreaField:
    """One question of the guided reflection, checked by the portfolio's own rule."""

    def answered(_form, field) -> None:
        if problem := reflection_problem(field.data, question.required):
            raise ValidationError(problem)

    return TextAreaField(
        question.text,
        filters=[strip],
        validators=[no_control_characters, answered],
        description=question.hint,
    )


class FreeHoursField(HoursField):
    """The hours of an activity in the free space; an accredited course brings its own, so
    whatever stands in this (then hidden) field is not checked."""

    def validate(self, form, extra_validators=()):
        if form.category.data != Category.FREE.value:
            self.errors = []
            return True
        return super().validate(form, extra_validators)


class ActivityForm(FlaskForm):
    category = RadioField(
        "Categorie",
        choices=choices((c.value, CATEGORY_LABELS[c]) for c in Category),
        validators=[InputRequired("Kies geaccrediteerd of vrije ruimte.")],
    )
    accreditation = SelectField(
        "Geaccrediteerde opleiding",
        coerce=lambda v: int(v) if v not in (None, "") else None,
        description="Uren en titel komen uit de accreditatie.",
    )
    type = SelectField(
        "Soort activiteit",
        choices=choices([("", "Kies het soort")] + [(t.value, TYPE_LABELS[t]) for t in FREE_TYPES]),
    )
    title = StringField(
        "Titel",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=200, message="Hoogstens 200 tekens."),
            no_control_characters,
        ],
    )
    provider = StringField(
        "Aanbieder of organisator",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=160, message="Hoogstens 160 tekens."),
            no_control_characters,
        ],
    )
    activity_date = DutchDateField(
        "Datum",
        validators=[InputRequired("Vul de datum in.")],
        description="De dag waarop u de activiteit volgde of afrondde.",
    )
    hours = FreeHoursField(
        "Aantal uren",
        description="Bijvoorbeeld 3 of 2,5 (hoogstens twee cijfers achter de komma).",
    )
    reflection_learned = _reflection_field(REFLECTION_QUESTIONS[0])
    reflection_applied = _reflection_field(REFLECTION_QUESTIONS[1])
    reflection_change = _reflection_field(REFLECTION_QUESTIONS[2])
    files = MultipleFileField(
        "Bewijsstukken",
        description="PDF, PNG, JPEG, DOCX of ODT, elk hoogstens 10 MB: certificaat van deelname, "
        "programma, aantekeningen of samenvatting.",
    )

    def validate_activity_date(self, field) -> None:
        if field.data is None:
            raise ValidationError("Vul een geldige datum in.")

    #: the regulation's maximum per activity; the view sets it (no queries in validators)
    max_hours = None

    def validate_hours(self, field) -> None:
        if field.data is None:
            raise ValidationError("Vul het aantal uren in.")
        if field.data <= 0:
            raise ValidationError("Het aantal uren moet meer dan 0 zijn.")
        if self.max_hours is not None and field.data > self.max_hours:
            raise ValidationError(f"Eén activiteit telt hoogstens {nl_hours(self.max_hours)} uur.")

    def validate_title(self, field) -> None:
        if self.category.data == Category.FREE.value and not field.data:
            raise ValidationError(REQUIRED)

    def validate_type(self, field) -> None:
        if self.category.data == Category.FREE.value and not field.data:
            raise ValidationError("Kies het soort activiteit.")

    def validate_accreditation(self, field) -> None:
        if self.category.data == Category.ACCREDITED.value and not field.data:
            raise ValidationError("Kies de geaccrediteerde opleiding uit de lijst.")


class EvidenceForm(FlaskForm):
    files = MultipleFileField("Bewijsstuk toevoegen")


class ConfirmForm(FlaskForm):
    pass
