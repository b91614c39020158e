"""Portfolio forms."""

from flask_wtf import FlaskForm
from wtforms import MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from krsd.forms_common import DutchDateField, choices, no_control_characters, strip
from krsd.portfolio.rules import CATEGORY_LABELS, FREE_TYPES, TYPE_LABELS, Category, parse_hours

REQUIRED = "Dit veld is verplicht."
REFLECTION_MAX = 5000


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
    hours = StringField(
        "Aantal uren",
        filters=[strip],
        description="Bijvoorbeeld 3 of 2,5 (hoogstens twee cijfers achter de komma).",
    )
    reflection = TextAreaField(
        "Reflectie",
        filters=[strip],
        validators=[
            DataRequired("Schrijf kort wat u heeft geleerd en hoe u het gebruikt."),
            Length(max=REFLECTION_MAX, message=f"Hoogstens {REFLECTION_MAX} tekens."),
            no_control_characters,
        ],
        description="Wat heeft u geleerd, en hoe gebruikt u dat in uw werk?",
    )
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
        if self.category.data == Category.FREE.value:
            _hours, problem = parse_hours(field.data, self.max_hours)
            if problem:
                raise ValidationError(problem)

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
