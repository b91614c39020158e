"""The accredited catalogue, kept by the registerbureau."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.clock import register_today
from krsd.courses import bp, services
from krsd.courses.accreditation_queries import standing_label
from krsd.courses.forms import AccreditedCourseForm
from krsd.courses.models import Accreditation, Course
from krsd.extensions import db
from krsd.formatting import nl_plural

admin_only = role_required(RoleName.ADMIN)


@bp.route("/geaccrediteerd")
@admin_only
def accredited():
    rows = db.session.scalars(
        select(Accreditation)
        .join(Course)
        .options(joinedload(Accreditation.course))
        .order_by(Course.title, Accreditation.valid_from)
    ).all()
    today = register_today()
    return render_template(
        "courses/accredited_list.html",
        accreditations=rows,
        standing={a.id: standing_label(a, today) for a in rows},
    )


def _save(form: AccreditedCourseForm, accreditation: Accreditation | None):
    data = services.AccreditedCourse(
        title=form.title.data,
        provider=form.provider.data,
        description=form.description.data or "",
        number=form.number.data,
        hours=form.hours.data,
        valid_from=form.valid_from.data,
        valid_until=form.valid_until.data,
    )
    return services.save_accredited_course(data, current_user, form.reason.data, accreditation)


@bp.route("/geaccrediteerd/nieuw", methods=["GET", "POST"])
@admin_only
def new_accredited():
    form = AccreditedCourseForm()
    if form.validate_on_submit():
        try:
            accreditation = _save(form, None)
        except services.CatalogueError as exc:
            getattr(form, exc.field).errors = [str(exc)]
        else:
            flash(f"‘{accreditation.course.title}’ is geaccrediteerd.", "success")
            return redirect(url_for("courses.accredited"))
    return render_template("courses/accredited_form.html", form=form, accreditation=None)


@bp.route("/geaccrediteerd/<int:accreditation_id>", methods=["GET", "POST"])
@admin_only
def edit_accredited(accreditation_id: int):
    accreditation = db.session.get(Accreditation, accreditation_id) or abort(404)
    form = AccreditedCourseForm()
    if not form.is_submitted():
        course = accreditation.course
        form.title.data, form.provider.data = course.title, course.provider
        form.description.data, form.number.data = course.description, accreditation.number
        form.hours.data = accreditation.hours
        form.valid_from.data, form.valid_until.data = (
            accreditation.valid_from,
            accreditation.valid_until,
        )
    if form.validate_on_submit():
        old_hours = accreditation.hours
        try:
            _save(form, accreditation)
        except services.CatalogueError as exc:
            db.session.rollback()
            accreditation = db.session.get(Accreditation, accreditation_id)
            getattr(form, exc.field).errors = [str(exc)]
        else:
            message = "De accreditatie is bijgewerkt."
            if form.hours.data != old_hours:
                kept = services.activities_keeping_hours(accreditation_id, form.hours.data)
                message += (
                    f" De nieuwe uren gelden voor activiteiten die vanaf nu worden vastgelegd; "
                    f"{nl_plural(kept, 'activiteit', 'activiteiten')} in portfolio's houden "
                    "hun eerdere uren."
                )
            flash(message, "success")
            return redirect(url_for("courses.accredited"))
    return render_template(
        "courses/accredited_form.html",
        form=form,
        accreditation=accreditation,
        logged=services.activities_keeping_hours(accreditation.id),
    )
