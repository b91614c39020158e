"""Registerbureau: correct or remove a regulation version that has not started yet."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from krsd.admin import bp, services
from krsd.admin.forms import RegulationForm, RegulationRemoveForm
from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.clock import register_today
from krsd.confirmation import confirmation_page, confirmed
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.portfolio.models import Regulation

admin_only = role_required(RoleName.ADMIN)


def _regulation_or_404(regulation_id: int) -> Regulation:
    return db.session.get(Regulation, regulation_id) or abort(404)


@bp.route("/reglement/<int:regulation_id>", methods=["GET", "POST"])
@admin_only
def regulation_edit(regulation_id: int):
    regulation = _regulation_or_404(regulation_id)
    today = register_today()
    form = RegulationForm(obj=regulation if request.method == "GET" else None)
    if request.method == "GET":
        form.reminder_days.data = regulation.reminder_days.replace(",", ", ")
    if regulation.starts_on > today and form.validate_on_submit():
        try:
            services.change_regulation(
                regulation.id, form.version_values(), form.reason.data, current_user, today
            )
        except services.RegulationError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(f"Versie {regulation.version} is gewijzigd.", "success")
            return redirect(url_for("admin.regulations"))
    return render_template(
        "admin/regulation_edit.html",
        regulation=regulation,
        form=form,
        remove_form=RegulationRemoveForm(prefix="remove", formdata=None),
        started=regulation.starts_on <= today,
    )


@bp.route("/reglement/<int:regulation_id>/verwijderen", methods=["POST"])
@admin_only
def regulation_remove(regulation_id: int):
    regulation = _regulation_or_404(regulation_id)
    form = RegulationRemoveForm(prefix="remove")
    if form.validate_on_submit():
        if not confirmed():
            return confirmation_page(
                title="Versie verwijderen",
                question=f"Weet u zeker dat u versie {regulation.version} (vanaf "
                f"{nl_date(regulation.starts_on)}) wilt verwijderen?",
                consequence="De versie gaat dan niet in; tot een volgende versie blijft de "
                "huidige gelden. Het verwijderen staat met uw reden in het auditlog.",
                button="Ja, verwijder de versie",
                back_url=url_for("admin.regulation_edit", regulation_id=regulation.id),
                keep=("remove-csrf_token", "remove-reason"),
            )
        try:
            version = services.remove_regulation(
                regulation.id, form.reason.data, current_user, register_today()
            )
        except services.RegulationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("admin.regulation_edit", regulation_id=regulation_id))
        flash(f"Versie {version} is verwijderd.", "success")
        return redirect(url_for("admin.regulations"))
    return render_template(
        "admin/regulation_edit.html",
        regulation=regulation,
        form=RegulationForm(obj=regulation, formdata=None),
        remove_form=form,
        started=regulation.starts_on <= register_today(),
    ), 400
