"""Forms for applying, reviewing and deciding."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from krsd.certification.rules import VERDICT_LABELS, Verdict
from krsd.forms_common import choices, no_control_characters, strip

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


class ClaimForm(FlaskForm):
    pass


class JudgeForm(FlaskForm):
    verdict = SelectField(
        "Oordeel",
        choices=choices(
            (v.value, VERDICT_LABELS[v])
            for v in (Verdict.ACCEPTED, Verdict.ACCEPTED_FEWER, Verdict.REJECTED)
        ),
        validators=[DataRequired("Kies een oordeel.")],
    )
    hours = DecimalField(
        "Geaccepteerde uren",
        places=2,
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
