"""Trainers' forms: a course, its status, its co-trainers."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from krsd import forms_common
from krsd.courses.models import FORMAT_LABELS, TARGET_GROUP_LABELS
from krsd.formatting import nl_hours
from krsd.forms_common import choices, no_control_characters, strip

REQUIRED = "Dit veld is verplicht."


CHOOSE = "Kies een van de mogelijkheden."


class ChoiceField(SelectField):
    """A select whose refusal of a value not offered is Dutch."""

    def pre_validate(self, form):
        if self.data not in {str(c[0]) for c in self.iter_choices()}:
            raise ValidationError(CHOOSE)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        offered = {str(c[0]) for c in self.iter_choices()}
        if any(value not in offered for value in self.data or ()):
            raise ValidationError(CHOOSE)


class HoursField(forms_common.HoursField):
    """Hours between ``minimum`` and ``maximum``, required; the common Dutch hours input."""

    def __init__(self, label, minimum="0.5", maximum="200", **kwargs):
        low, high = Decimal(minimum), Decimal(maximum)
        message = f"Tussen {nl_hours(low)} en {nl_hours(high)} uur."
        kwargs.setdefault(
            "validators",
            [InputRequired("Vul het aantal uren in."), NumberRange(low, high, message)],
        )
        super().__init__(label, **kwargs)


def text_field(label, max_length, required=True, area=False, **kwargs):
    checks = [
        Length(max=max_length, message=f"Hoogstens {max_length} tekens."),
        no_control_characters,
    ]
    if required:
        checks.insert(0, DataRequired(REQUIRED))
    field_class = TextAreaField if area else StringField
    return field_class(label, filters=[strip], validators=checks, **kwargs)


class CourseForm(FlaskForm):
    title = text_field("Titel", 200)
    provider = text_field("Aanbieder", 160, description="De organisatie die de cursus geeft.")
    description = text_field("Omschrijving", 5000, required=False, area=True)
    format = ChoiceField(
        "Vorm",
        choices=choices((f.value, label) for f, label in FORMAT_LABELS.items()),
        validators=[DataRequired("Kies de vorm.")],
    )
    study_load_hours = HoursField(
        "Studiebelasting in uren",
        maximum="999",
        description="Wat de cursus van een deelnemer vraagt; de geaccrediteerde uren "
        "stelt het registerbureau vast.",
    )
    target_groups = MultiCheckboxField(
        "Doelgroepen",
        choices=choices((g.value, label) for g, label in TARGET_GROUP_LABELS.items()),
    )
    graded = BooleanField(
        "Met beoordeling (voldoende / onvoldoende)",
        description="Zoals de modules van de Leergang Leerplicht/RMC.",
    )

    def validate_target_groups(self, field) -> None:
        if not field.data:
            raise ValidationError("Kies minstens één doelgroep.")


class StatusForm(FlaskForm):
    action = StringField(validators=[AnyOf(["publish", "archive", "draft"], "Onbekende actie.")])


class TrainerForm(FlaskForm):
    email = StringField(
        "E-mailadres van de trainer",
        filters=[strip],
        validators=[
            DataRequired("Vul een e-mailadres in."),
            Length(max=254, message="Hoogstens 254 tekens."),
        ],
        description="Iemand met een account en de rol trainer.",
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token: a button that changes something."""
