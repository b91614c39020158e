"""Forms of the privacy pages."""

from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from krsd.forms_common import no_control_characters, strip


class ActionForm(FlaskForm):
    """A button with its CSRF token: download, ask for erasure."""


class ErasureDecisionForm(FlaskForm):
    """The registerbureau carries out or refuses a request; a refusal needs a reason."""

    reason = TextAreaField(
        "Reden (de persoon krijgt die te lezen; verplicht bij weigeren)",
        filters=[strip],
        validators=[Length(max=1000, message="Hoogstens 1000 tekens."), no_control_characters],
    )
    carry_out = SubmitField("Gegevens verwijderen")
    refuse = SubmitField("Weigeren")
