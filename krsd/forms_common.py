"""Small pieces shared by the forms of several blueprints."""

import re
from decimal import Decimal

from wtforms import DateField, Field, SelectChoice
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import TextInput

from krsd.formatting import hours_input


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


HOURS_MESSAGE = "Vul een aantal uren in, bijv. 8 of 8,5."
TOO_PRECISE = "Gebruik hoogstens twee cijfers achter de komma."
#: digits with at most one decimal comma or point: no exponent (1e1), no NaN or Infinity,
#: no grouping (1.000,5), so that what is stored is what the person meant
_HOURS_TEXT = re.compile(r"-?([0-9]{1,7})(?:([.,])([0-9]{1,9}))?", re.ASCII)


def parse_hours(text: str | None) -> Decimal | None:
    """8, 8,5, 8.5 or ' 8,50 ' as a Decimal; None for nothing typed; ValueError (Dutch) else."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    match = _HOURS_TEXT.fullmatch(cleaned)
    if match is None:
        raise ValueError(HOURS_MESSAGE)
    _whole, separator, decimals = match.groups()
    if separator == "." and len(decimals) == 3:
        raise ValueError(HOURS_MESSAGE)  # 1.000 is a thousand in Dutch, one in English
    if decimals and len(decimals) > 2:
        raise ValueError(TOO_PRECISE)
    return Decimal(cleaned.replace(",", "."))


class HoursField(Field):
    """A Dutch hours input: a decimal comma or point, shown back as 8 or 8,5.

    A text input with ``inputmode=decimal``: a number input refuses the comma a Dutch
    keyboard types. Each form adds its own range validators and messages.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_hours(valuelist[0])
        except ValueError:
            self.data = None
            raise

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]  # what was typed, also when it was refused
        return hours_input(self.data)

    def pre_validate(self, form):
        if self.process_errors:
            # One message that says what to type, not a range message about no number.
            raise StopValidation()
