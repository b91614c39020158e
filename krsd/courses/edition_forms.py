"""Forms of a trainer's editions and sessions, and the public catalogue's search."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from krsd.courses.models import FORMAT_LABELS, TARGET_GROUP_LABELS
from krsd.forms_common import DutchDateField, choices, no_control_characters, strip

MAX_CAPACITY = 1000


class DutchIntegerField(IntegerField):
    """A whole number whose parse error is Dutch."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Vul een heel getal in.") from None


class DutchTimeField(TimeField):
    """A time (uu:mm) whose parse error is Dutch."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Vul een geldige tijd in (uu:mm).") from None


def _place(label: str, description: str = ""):
    return StringField(
        label,
        description=description,
        filters=[strip],
        validators=[Length(max=200, message="Hoogstens 200 tekens."), no_control_characters],
    )


class EditionForm(FlaskForm):
    starts_on = DutchDateField("Begindatum", validators=[InputRequired("Vul de datum in.")])
    ends_on = DutchDateField("Einddatum", validators=[InputRequired("Vul de datum in.")])
    enrolment_deadline = DutchDateField(
        "Inschrijven en annuleren kan tot en met",
        description="Uiterlijk de begindatum.",
        validators=[InputRequired("Vul de datum in.")],
    )
    capacity = DutchIntegerField(
        "Aantal plaatsen",
        validators=[
            InputRequired("Vul het aantal plaatsen in."),
            NumberRange(min=1, max=MAX_CAPACITY, message=f"Tussen 1 en {MAX_CAPACITY}."),
        ],
    )
    online = BooleanField("Online (geen locatie)")
    location = _place("Plaats", "Bijvoorbeeld: Zwolle, Stadskantoor.")
    self_study = BooleanField(
        "Zelfstudie (zonder bijeenkomsten)",
        description="Deelnemers werken in hun eigen tempo tussen de begin- en einddatum.",
    )

    def validate_ends_on(self, field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("De einddatum ligt vóór de begindatum.")

    def validate_enrolment_deadline(self, field) -> None:
        if self.starts_on.data and field.data and field.data > self.starts_on.data:
            raise ValidationError("De inschrijfdeadline ligt uiterlijk op de begindatum.")

    def validate_location(self, field) -> None:
        if not field.data and not self.online.data and not self.self_study.data:
            raise ValidationError("Vul de plaats in, of kies Online.")

    @property
    def place(self) -> str:
        if self.online.data:
            return "Online"
        return self.location.data or ""


class SessionForm(FlaskForm):
    day = DutchDateField("Dag", validators=[InputRequired("Vul de dag in.")])
    starts_at = DutchTimeField("Begintijd", validators=[InputRequired("Vul de begintijd in.")])
    ends_at = DutchTimeField("Eindtijd", validators=[InputRequired("Vul de eindtijd in.")])
    location = _place("Plaats", "Leeg: de plaats van de uitvoering.")

    def validate_ends_at(self, field) -> None:
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError("De eindtijd ligt niet na de begintijd.")


class CatalogueSearchForm(FlaskForm):
    """The catalogue's filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(
        "Zoeken",
        description="Op titel, omschrijving of aanbieder.",
        filters=[strip],
        validators=[Optional(), Length(max=100, message="Hoogstens 100 tekens.")],
    )
    group = SelectField(
        "Doelgroep",
        choices=choices(
            [("", "Alle doelgroepen")]
            + [(g.value, label) for g, label in TARGET_GROUP_LABELS.items()]
        ),
        validate_choice=False,  # an unknown value shows all
    )
    format = SelectField(
        "Vorm",
        choices=choices(
            [("", "Alle vormen")] + [(f.value, label) for f, label in FORMAT_LABELS.items()]
        ),
        validate_choice=False,
    )
    accredited = BooleanField("Alleen geaccrediteerd")
