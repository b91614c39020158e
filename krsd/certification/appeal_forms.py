"""Forms for the bezwaar (appeal): lodging it, claiming, assigning and deciding it."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from krsd.certification.forms import ClaimForm
from krsd.forms_common import choices, no_control_characters, strip

UPHOLD, GRANT = "uphold", "grant"


def _text(label: str, required_message: str, max_length: int) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            DataRequired(required_message),
            Length(max=max_length, message=f"Hoogstens {max_length} tekens."),
            no_control_characters,
        ],
    )


class AppealForm(FlaskForm):
    reason = _text(
        "Waarom bent u het niet eens met het besluit?",
        "Schrijf waarom u het niet eens bent met het besluit.",
        5000,
    )


class AppealClaimForm(ClaimForm):
    """The same conflict-of-interest statement as for taking an application."""


class AppealDecisionForm(FlaskForm):
    outcome = RadioField(
        "Beslissing op het bezwaar",
        choices=choices(
            [
                (UPHOLD, "Ongegrond: het besluit blijft staan"),
                (GRANT, "Gegrond: de aanvraag gaat terug naar de wachtrij voor een nieuw besluit"),
            ]
        ),
        validators=[
            InputRequired("Kies gegrond of ongegrond."),
            AnyOf([UPHOLD, GRANT], message="Kies gegrond of ongegrond."),
        ],
        validate_choice=False,  # the Dutch message above instead of WTForms' English one
    )
    motivation = _text(
        "Motivering", "Een beslissing op bezwaar heeft altijd een schriftelijke motivering.", 5000
    )


class AppealAssignForm(FlaskForm):
    reviewer = SelectField(
        "Beoordelaar",
        coerce=int,
        validators=[DataRequired("Kies een beoordelaar.")],
        validate_choice=False,  # checked in the view, with a Dutch message
    )
    reason = _text("Reden", "Geef een reden op; die komt in het auditlog.", 1000)
