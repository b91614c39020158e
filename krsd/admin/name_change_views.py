"""Registerbureau: name-change requests of certified people, approved or refused."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from krsd.admin import bp
from krsd.admin.forms import NameChangeDecisionForm
from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.certification import name_changes
from krsd.clock import register_today

admin_only = role_required(RoleName.ADMIN)


def _form(request_id: int) -> NameChangeDecisionForm:
    return NameChangeDecisionForm(prefix=f"r{request_id}")


def _page(failed: NameChangeDecisionForm | None = None, failed_id: int | None = None):
    pending = name_changes.pending_requests()
    forms = {r.id: failed if r.id == failed_id else _form(r.id) for r in pending}
    certificates = name_changes.current_certificates_by_holder(
        [r.user_id for r in pending], register_today()
    )
    return render_template(
        "admin/name_changes.html", pending=pending, forms=forms, certificates=certificates
    )


@bp.route("/naamswijzigingen")
@admin_only
def name_changes_list():
    return _page()


@bp.route("/naamswijzigingen/<int:request_id>", methods=["POST"])
@admin_only
def name_change_decide(request_id: int):
    form = _form(request_id)
    if form.validate_on_submit():
        approve = bool(form.approve.data)
        try:
            decided = name_changes.decide_name_change(
                request_id, current_user, approve, form.reason.data, register_today()
            )
        except name_changes.NameChangeError as exc:
            flash(str(exc), "error")
        else:
            verb = "goedgekeurd" if approve else "geweigerd"
            flash(
                f"De naamswijziging van {decided.old_name} in {decided.requested_name} is "
                f"{verb}; de aanvrager krijgt bericht.",
                "success",
            )
        return redirect(url_for("admin.name_changes_list"))
    return _page(form, request_id), 400
