"""The public catalogue at /cursussen/ and a course's page: for anyone, no login."""

from flask import abort, render_template, request
from flask_login import current_user

from krsd.auth.rules import RoleName
from krsd.clock import register_today
from krsd.courses import bp, public_catalogue
from krsd.courses.edition_forms import CatalogueSearchForm
from krsd.courses.edition_rules import open_for_changes
from krsd.courses.models import CourseFormat, EnrolmentState, TargetGroup
from krsd.extensions import db
from krsd.limits import public_pages


def _page_number() -> int:
    number = request.args.get("page", "")
    return int(number) if number.isdigit() and len(number) < 6 else 1


def _filters(form: CatalogueSearchForm) -> public_catalogue.Filters:
    if not form.validate():
        return public_catalogue.Filters()
    groups = {g.value: g for g in TargetGroup}
    formats = {f.value: f for f in CourseFormat}
    return public_catalogue.Filters(
        query=(form.q.data or "")[:100],
        group=groups.get(form.group.data or ""),
        format=formats.get(form.format.data or ""),
        accredited_only=bool(form.accredited.data),
    )


@bp.route("/")
@public_pages
def catalogue():
    form = CatalogueSearchForm(request.args)
    today = register_today()
    statement = public_catalogue.search(_filters(form), today)
    page = db.paginate(
        statement, page=_page_number(), per_page=public_catalogue.PER_PAGE, error_out=False
    )
    facts = public_catalogue.facts([c.id for c in page.items], today)
    return render_template("courses/catalogue.html", form=form, page=page, facts=facts)


@bp.route("/<int:course_id>")
@public_pages
def course_page(course_id: int):
    today = register_today()
    signed_in = current_user.is_authenticated
    page = public_catalogue.course_page(course_id, today, current_user.id if signed_in else None)
    if page is None:
        abort(404)
    return render_template(
        "courses/course_page.html",
        page=page,
        course=page.course,
        today=today,
        open_for_changes=open_for_changes,
        can_enrol=signed_in and current_user.has_role(RoleName.PROFESSIONAL),
        Waiting=EnrolmentState.WAITING,
    )
