"""Forms for applying, reviewing and deciding."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FileField,
    HiddenField,
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from krsd.certification.rules import (
    EXTENSION_REASON_LABELS,
    VERDICT_LABELS,
    ExtensionReason,
    Verdict,
)
from krsd.forms_common import HoursField, choices, no_control_characters, strip

REQUIRED = "Dit veld is verplicht."


def _text(label: str, required_message: str, max_length: int = 5000) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            DataRequired(required_message),
            Length(max=max_length, message=f"Hoogstens {max_length} tekens."),
            no_control_characters,
        ],
    )


class SubmitForm(FlaskForm):
    #: the kind of application the page offered (initial or renewal)
    kind = HiddenField()
    declaration = BooleanField(
        "Ik verklaar dat ik deze activiteiten zelf heb gevolgd en dat de bewijsstukken echt zijn",
        validators=[DataRequired("Bevestig deze verklaring om de aanvraag in te dienen.")],
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Reden (optioneel)",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=1000, message="Hoogstens 1000 tekens."),
            no_control_characters,
        ],
    )


class ResubmitForm(FlaskForm):
    note = TextAreaField(
        "Toelichting voor de commissie (optioneel)",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=2000, message="Hoogstens 2000 tekens."),
            no_control_characters,
        ],
    )


#: what a reviewer declares before taking an application or an appeal
CONFLICT_STATEMENT = (
    "De aanvrager is geen collega (zelfde werkgever), familielid, vriend of iemand die ik "
    "begeleid of leid, en ik verzorg of bied geen van de activiteiten aan, zelf of via mijn "
    "werkgever. Twijfel ik, dan neem ik de aanvraag niet in behandeling en meld ik het bij "
    "het registerbureau."
)


class ClaimForm(FlaskForm):
    no_conflict = BooleanField(
        "Ik verklaar dat ik geen belangenverstrengeling heb met deze aanvraag",
        description=CONFLICT_STATEMENT,
        validators=[
            DataRequired(
                "Bevestig de verklaring over belangenverstrengeling om de aanvraag in "
                "behandeling te nemen."
            )
        ],
    )


class AcceptRemainingForm(FlaskForm):
    """Accept every activity not judged yet with its logged hours (after a confirmation)."""


class JudgeForm(FlaskForm):
    verdict = SelectField(
        "Oordeel",
        choices=choices(
            (v.value, VERDICT_LABELS[v])
            for v in (Verdict.ACCEPTED, Verdict.ACCEPTED_FEWER, Verdict.REJECTED)
        ),
        validators=[DataRequired("Kies een oordeel.")],
    )
    hours = HoursField(
        "Geaccepteerde uren",
        validators=[Optional(), NumberRange(min=Decimal("0.01"), message="Meer dan 0 uur.")],
        description="Alleen bij ‘minder uren’.",
    )
    comment = TextAreaField(
        "Toelichting",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=2000, message="Hoogstens 2000 tekens."),
            no_control_characters,
        ],
    )


class RequestInfoForm(FlaskForm):
    message = _text(
        "Wat moet de aanvrager aanvullen?", "Schrijf wat de aanvrager moet aanvullen.", 3000
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        "Besluit",
        choices=choices(
            [("approve", "Goedkeuren: certificaat verstrekken"), ("reject", "Afwijzen")]
        ),
        validators=[InputRequired("Kies goedkeuren of afwijzen.")],
    )
    motivation = _text("Motivering", "Een besluit heeft altijd een schriftelijke motivering.")


class ReassignForm(FlaskForm):
    reviewer = SelectField(
        "Beoordelaar", coerce=int, validators=[DataRequired("Kies een beoordelaar.")]
    )
    reason = _text("Reden", "Geef een reden op; die komt in het auditlog.", 1000)


class ExtensionRequestForm(FlaskForm):
    """A holder asks for uitstel: a reason beyond their control, explained, with evidence."""

    reason = RadioField(
        "Reden",
        choices=choices((r.value, label) for r, label in EXTENSION_REASON_LABELS.items()),
        validators=[
            InputRequired("Kies een reden."),
            AnyOf([r.value for r in ExtensionReason], message="Kies een van de redenen."),
        ],
        validate_choice=False,  # the Dutch message above instead of WTForms' English one
    )
    explanation = _text(
        "Toelichting",
        "Licht toe waarom u de uren niet op tijd kunt halen.",
        max_length=3000,
    )
    evidence = FileField(
        "Bewijsstuk (optioneel)",
        description="Bijvoorbeeld een verklaring van een arts of werkgever: PDF, PNG, JPEG, "
        "DOCX of ODT, hoogstens 10 MB.",
    )
