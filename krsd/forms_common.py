"""Small pieces shared by the forms of several blueprints."""

from wtforms import DateField, SelectChoice
from wtforms.validators import ValidationError


class Stripped:
    """A filter that trims surrounding white space from text input."""

    def __call__(self, value):
        return value.strip() if isinstance(value, str) else value


strip = Stripped()


def no_control_characters(_form, field) -> None:
    """Refuse text with control characters (other than line breaks and tabs)."""
    if field.data and any(ord(ch) < 32 and ch not in "\r\n\t" for ch in field.data):
        raise ValidationError("Deze tekst bevat ongeldige tekens.")


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs (WTForms 3.3 wants SelectChoice objects)."""
    return [SelectChoice(value, label) for value, label in pairs]


class DutchDateField(DateField):
    """A date input whose parse error is Dutch."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Vul een geldige datum in (dag-maand-jaar).") from None
