"""Registerbureau: the worklist "verloopt binnenkort" and its download."""

from flask import abort, render_template, request
from flask_wtf import FlaskForm
from wtforms import SelectField

from krsd.admin import bp, worklist
from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.clock import register_today
from krsd.forms_common import choices
from krsd.spreadsheets import frame_download

admin_only = role_required(RoleName.ADMIN)
FORMATS = ("csv", "xlsx")


class WorklistForm(FlaskForm):
    class Meta:
        csrf = False

    months = SelectField(
        "Einddatum binnen",
        choices=choices((str(m), f"{m} maanden") for m in worklist.MONTH_CHOICES),
        default=str(worklist.DEFAULT_MONTHS),
    )


def _months(form: WorklistForm) -> int:
    """The chosen horizon; anything else than a listed choice falls back to the default."""
    value = request.args.get("months", "")
    if value.isdigit() and int(value) in worklist.MONTH_CHOICES:
        return int(value)
    form.months.data = str(worklist.DEFAULT_MONTHS)
    return worklist.DEFAULT_MONTHS


@bp.route("/verloopt-binnenkort", endpoint="worklist")
@admin_only
def expiring_soon():
    form = WorklistForm(request.args)
    months = _months(form)
    today = register_today()
    fmt = request.args.get("format")
    if fmt is not None:
        if fmt not in FORMATS:
            abort(404)
        frame = worklist.worklist_frame(worklist.worklist_all(today, months))
        return frame_download(
            frame,
            f"verloopt-binnenkort-{months}-maanden-{today.isoformat()}",
            fmt,
            "Verloopt binnenkort",
            f"Certificaten die binnen {months} maanden aflopen (stand {today.isoformat()})",
        )
    number = request.args.get("page", "")
    page = worklist.worklist_page(
        today, months, int(number) if number.isdigit() and len(number) < 10 else 1
    )
    return render_template(
        "admin/worklist.html",
        form=form,
        months=months,
        page=page,
        today=today,
        horizon=worklist.add_months(today, months),
    )
