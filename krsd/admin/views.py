"""Registerbureau pages: accounts and roles, the audit log, the outbox."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from krsd.admin import audit_labels, bp, services
from krsd.admin import audit_log as audit_log_queries
from krsd.admin.forms import (
    ActiveForm,
    AuditFilterForm,
    RegulationForm,
    RolesForm,
    SecondFactorResetForm,
    UserSearchForm,
)
from krsd.audit import AuditEntry
from krsd.auth import second_factor
from krsd.auth.access import role_required
from krsd.auth.models import User, UserRole
from krsd.auth.rules import ROLE_LABELS, RoleName
from krsd.auth.services import AccountError
from krsd.clock import register_today
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.mail import OutboxMessage
from krsd.portfolio.models import Regulation, regulation_in_force
from krsd.spreadsheets import frame_download
from krsd.urls import redact_secret_links

PER_PAGE = 50
admin_only = role_required(RoleName.ADMIN)


def _user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _paginate(query):
    """One page of ``query``; a page number out of range or not a number shows the nearest."""
    number = request.args.get("page", "")
    number = int(number) if number.isdigit() and len(number) < 10 else 1
    page = db.paginate(query, page=max(number, 1), per_page=PER_PAGE, error_out=False)
    if page.pages and page.page > page.pages:
        page = db.paginate(query, page=page.pages, per_page=PER_PAGE, error_out=False)
    return page


@bp.route("/accounts")
@admin_only
def users():
    form = UserSearchForm(request.args)
    query = select(User).order_by(User.name, User.id)
    valid = form.validate()  # an unknown role or an overlong query shows the form's message
    if valid and form.q.data:
        query = query.where(
            or_(
                User.name.icontains(form.q.data, autoescape=True),
                User.email.icontains(form.q.data, autoescape=True),
            )
        )
    if valid and form.role.data:
        query = query.where(User.roles.any(UserRole.role == RoleName(form.role.data)))
    page = _paginate(query)
    return render_template("admin/users.html", form=form, page=page, role_labels=ROLE_LABELS)


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
@admin_only
def user_detail(user_id: int):
    user = _user_or_404(user_id)
    roles_form = RolesForm(prefix="roles")
    active_form = ActiveForm(prefix="active")
    second_factor_form = SecondFactorResetForm(prefix="second-factor")
    if request.method == "GET":
        roles_form.roles.data = sorted(r.value for r in user.role_names)
    elif "roles-submit" in request.form and roles_form.validate_on_submit():
        try:
            changed = services.set_roles(
                user,
                {RoleName(r) for r in roles_form.roles.data},
                roles_form.reason.data,
                current_user,
            )
        except AccountError as exc:
            db.session.rollback()
            roles_form.roles.errors = [str(exc)]
        else:
            flash("De rollen zijn gewijzigd." if changed else "Er is niets gewijzigd.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    elif "active-submit" in request.form and active_form.validate_on_submit():
        try:
            services.set_active(user, not user.active, active_form.reason.data, current_user)
        except AccountError as exc:
            db.session.rollback()
            active_form.reason.errors = [str(exc)]
        else:
            flash(
                "Het account is " + ("gedeblokkeerd." if user.active else "geblokkeerd."), "success"
            )
            return redirect(url_for("admin.user_detail", user_id=user.id))
    elif "second-factor-submit" in request.form and second_factor_form.validate_on_submit():
        try:
            second_factor.reset_second_factor(user, second_factor_form.reason.data, current_user)
        except AccountError as exc:
            db.session.rollback()
            second_factor_form.reason.errors = [str(exc)]
        else:
            flash(
                "De tweestapsverificatie is opnieuw ingesteld; bij de volgende keer inloggen "
                "koppelt deze persoon een nieuwe app.",
                "success",
            )
            return redirect(url_for("admin.user_detail", user_id=user.id))
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "user", AuditEntry.object_id == str(user.id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(20)
    ).all()
    return render_template(
        "admin/user_detail.html",
        user=user,
        roles_form=roles_form,
        active_form=active_form,
        second_factor_form=second_factor_form,
        second_factor_enrolled=second_factor.is_enrolled(user),
        history=history,
        named=audit_log_queries.name_objects(history),
        labels=audit_labels,
        role_labels=ROLE_LABELS,
    )


@bp.route("/auditlog")
@admin_only
def audit_log():
    form = AuditFilterForm(request.args)
    filters = audit_log_queries.Filters()
    if form.validate():
        filters = audit_log_queries.Filters(
            action=form.action.data or None,
            person=form.actor.data or None,
            object_id=form.object_id.data or None,
            date_from=form.date_from.data,
            date_until=form.date_until.data,
        )
    fmt = request.args.get("format")
    if fmt is not None:
        if fmt not in ("csv", "xlsx"):
            abort(404)
        return frame_download(
            audit_log_queries.log_frame(filters),
            f"auditlog-{register_today().isoformat()}",
            fmt,
            "Auditlog",
            "Auditlog KRSD",
        )
    page = _paginate(audit_log_queries.filtered(filters))
    return render_template(
        "admin/audit_log.html",
        form=form,
        page=page,
        named=audit_log_queries.name_objects(page.items),
        labels=audit_labels,
        download_args={k: v for k, v in request.args.items() if k not in ("page", "format")},
    )


@bp.route("/uitgaande-mail")
@admin_only
def outbox():
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    page = _paginate(query)
    return render_template("admin/outbox.html", page=page)


@bp.route("/uitgaande-mail/<int:message_id>")
@admin_only
def outbox_message(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    # Staff must not be able to use someone's reset link: shown hidden, sent as it is.
    body = redact_secret_links(message.body)
    return render_template("admin/outbox_message.html", message=message, body=body)


@bp.route("/reglement", methods=["GET", "POST"])
@admin_only
def regulations():
    form = RegulationForm()
    if form.validate_on_submit():
        try:
            regulation = services.add_regulation(
                form.version_values(), form.reason.data, current_user, register_today()
            )
        except services.RegulationError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(
                f"Versie {regulation.version} gaat in op {nl_date(regulation.starts_on)}.",
                "success",
            )
            return redirect(url_for("admin.regulations"))
    versions = db.session.scalars(select(Regulation).order_by(Regulation.starts_on.desc())).all()
    in_force = regulation_in_force(register_today())
    return render_template(
        "admin/regulations.html",
        form=form,
        versions=versions,
        in_force=in_force,
        today=register_today(),
    )
