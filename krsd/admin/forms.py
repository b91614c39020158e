"""Registerbureau forms."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from krsd.auth.rules import ROLE_LABELS
from krsd.forms_common import choices, no_control_characters, strip


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _reason_field() -> TextAreaField:
    return TextAreaField(
        "Reden",
        filters=[strip],
        validators=[
            DataRequired("Geef een reden op; die komt in het auditlog."),
            Length(max=1000, message="Hoogstens 1000 tekens."),
            no_control_characters,
        ],
    )


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(
        "Rollen", choices=choices((r.value, label) for r, label in ROLE_LABELS.items())
    )
    reason = _reason_field()


class ActiveForm(FlaskForm):
    reason = _reason_field()


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Zoek op naam of e-mailadres", filters=[strip], validators=[Optional()])
    role = SelectField(
        "Rol",
        choices=choices(
            [("", "Alle rollen")] + [(r.value, label) for r, label in ROLE_LABELS.items()]
        ),
        validators=[Optional()],
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = StringField("Actie", filters=[strip], validators=[Optional(), Length(max=64)])
    actor = StringField("Door (e-mail)", filters=[strip], validators=[Optional(), Length(max=254)])
    object_id = StringField("Object-id", filters=[strip], validators=[Optional(), Length(max=64)])
    date_from = DateField("Vanaf", validators=[Optional()])
    date_until = DateField("Tot en met", validators=[Optional()])
