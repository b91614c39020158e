"""Forms of the attendance page: one participant's result, a file, applying a checked file."""

from flask_wtf import FlaskForm
from wtforms import FileField, HiddenField, SelectField
from wtforms.validators import ValidationError

from krsd.courses.attendance_rules import GRADES, NO, ONVOLDOENDE, VOLDOENDE, YES, Result
from krsd.forms_common import choices

NOT_YET = ("", "— nog niet")
YES_NO = choices([NOT_YET, (YES, "ja"), (NO, "nee")])
GRADE_CHOICES = choices([NOT_YET, (VOLDOENDE, "voldoende"), (ONVOLDOENDE, "onvoldoende")])
INVALID_CHOICE = "Kies een van de mogelijkheden."


def _known(values):
    def check(_form, field) -> None:
        if field.data and field.data not in values:
            raise ValidationError(INVALID_CHOICE)

    return check


def _yes_no(value: str | None) -> bool | None:
    return None if not value else value == YES


class ResultForm(FlaskForm):
    """One participant; rendered once per row with the prefix ``r<enrolment id>``."""

    # validate_choice=False: the Dutch message of _known instead of WTForms' English one
    attended = SelectField(
        "Aanwezig", choices=YES_NO, validate_choice=False, validators=[_known((YES, NO))]
    )
    passed = SelectField(
        "Geslaagd", choices=YES_NO, validate_choice=False, validators=[_known((YES, NO))]
    )
    grade = SelectField(
        "Beoordeling", choices=GRADE_CHOICES, validate_choice=False, validators=[_known(GRADES)]
    )

    def fill(self, result: Result) -> None:
        self.attended.data = "" if result.attended is None else (YES if result.attended else NO)
        self.passed.data = "" if result.passed is None else (YES if result.passed else NO)
        self.grade.data = result.grade or ""

    def result(self, graded: bool) -> Result:
        grade = self.grade.data if graded and self.grade.data in GRADES else None
        return Result(_yes_no(self.attended.data), _yes_no(self.passed.data), grade)


class UploadForm(FlaskForm):
    file = FileField("Bestand met resultaten (CSV of XLSX)")


class ApplyForm(FlaskForm):
    """The checked rows travel back as JSON; they are checked again before anything is saved."""

    rows = HiddenField()
