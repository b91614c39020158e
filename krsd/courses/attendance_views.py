"""The trainer's attendance page: results one at a time, or a file checked row by row."""

import json
from dataclasses import asdict

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from krsd.clock import register_today
from krsd.courses import attendance as service
from krsd.courses import bp
from krsd.courses.access import own_edition_or_404, trainer_only
from krsd.courses.attendance_forms import ApplyForm, ResultForm, UploadForm
from krsd.courses.attendance_upload import (
    MAX_BYTES,
    MAX_ROWS,
    XLSX_MIMETYPE,
    UploadRejected,
    read_rows,
    template_csv,
    template_frame,
    template_xlsx,
)
from krsd.courses.lookups import accreditation_covering
from krsd.courses.models import Edition
from krsd.formatting import nl_plural

RAW_FIELDS = ("number", "email", "attended", "passed", "grade")


def _page(edition: Edition, posted: tuple[int, ResultForm] | None = None, upload=None, status=200):
    people = service.participants(edition)
    forms = {}
    for person in people:
        if posted and posted[0] == person.enrolment.id:
            forms[person.enrolment.id] = posted[1]
            # The error summary names the person and links to the row's first input.
            posted[1].error_caption = person.user.name
            posted[1].error_target = f"r{person.enrolment.id}-attended"
        else:
            form = ResultForm(formdata=None)
            form.fill(person.result)
            forms[person.enrolment.id] = form
    if posted and posted[0] not in forms:
        # Not (or no longer) a row of the table: its message goes above it.
        for message in posted[1].form_errors:
            flash(f"{message} Er is niets vastgelegd.", "error")
    return render_template(
        "courses/attendance.html",
        edition=edition,
        course=edition.course,
        people=people,
        forms=forms,
        upload_form=upload or UploadForm(formdata=None),
        accreditation=accreditation_covering(edition.course_id, edition.ends_on),
        today=register_today(),
    ), status


@bp.route("/uitvoering/<int:edition_id>/resultaten", methods=["GET", "POST"])
@trainer_only
def attendance(edition_id: int):
    edition = own_edition_or_404(edition_id)
    if request.method == "GET":
        return _page(edition)
    enrolment_id = request.form.get("deelnemer", type=int)
    form = ResultForm()
    if form.validate_on_submit() and enrolment_id:
        try:
            changed = service.record_result(
                edition,
                enrolment_id,
                form.result(edition.course.graded),
                current_user,
                register_today(),
            )
        except service.ResultError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(
                "Het resultaat is vastgelegd." if changed else "Er is niets veranderd.",
                "success",
            )
            target = url_for("courses.attendance", edition_id=edition.id)
            return redirect(f"{target}#deelnemer-{enrolment_id}")
    return _page(edition, (enrolment_id, form))


@bp.route("/uitvoering/<int:edition_id>/resultaten/sjabloon.csv", defaults={"kind": "csv"})
@bp.route("/uitvoering/<int:edition_id>/resultaten/sjabloon.xlsx", defaults={"kind": "xlsx"})
@trainer_only
def attendance_template(edition_id: int, kind: str):
    """The participants with their results so far, to fill in and upload."""
    edition = own_edition_or_404(edition_id)
    frame = template_frame(service.participants(edition), edition.course.graded)
    if kind == "csv":
        content, mimetype = template_csv(frame), "text/csv"
    else:
        content, mimetype = template_xlsx(frame), XLSX_MIMETYPE
    name = f"resultaten-uitvoering-{edition.id}.{kind}"
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/uitvoering/<int:edition_id>/resultaten/bestand", methods=["POST"])
@trainer_only
def attendance_upload(edition_id: int):
    """Check a file: every row is tried, nothing is saved; the report says what would change."""
    edition = own_edition_or_404(edition_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(edition, upload=form, status=400)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        form.file.errors = ["Kies een CSV- of XLSX-bestand."]
        return _page(edition, upload=form)
    try:
        rows = read_rows(upload.stream.read(MAX_BYTES + 1))
    except UploadRejected as exc:
        form.file.errors = [f"{exc} Er is niets vastgelegd."]
        return _page(edition, upload=form)
    report = service.apply_rows(edition, rows, current_user, register_today(), apply=False)
    payload = json.dumps([asdict(r) for r in rows], ensure_ascii=False)
    return _report(edition, report, ApplyForm(formdata=None, rows=payload), first_try=True)


def _report(edition: Edition, report: service.UploadReport, apply_form, first_try: bool):
    return render_template(
        "courses/attendance_report.html",
        edition=edition,
        course=edition.course,
        report=report,
        apply_form=apply_form,
        upload_form=UploadForm(formdata=None),
        first_try=first_try,
    )


def _rows_from(payload: str | None) -> list[service.RawRow] | None:
    """The rows the report page sent back, or None when they are not what it sent."""
    try:
        items = json.loads(payload or "")
    except ValueError:
        return None
    if not isinstance(items, list) or not 0 < len(items) <= MAX_ROWS:
        return None
    rows = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("row"), int):
            return None
        cells = {name: item.get(name, "") for name in RAW_FIELDS}
        if not all(isinstance(v, str) and len(v) <= 254 for v in cells.values()):
            return None
        rows.append(service.RawRow(row=item["row"], **cells))
    return rows


@bp.route("/uitvoering/<int:edition_id>/resultaten/bestand/vastleggen", methods=["POST"])
@trainer_only
def attendance_upload_apply(edition_id: int):
    """Apply a checked file: all rows, or (when one is wrong now) none."""
    edition = own_edition_or_404(edition_id)
    form = ApplyForm()
    if not form.validate_on_submit():
        abort(400)
    rows = _rows_from(form.rows.data)
    if rows is None:
        flash("Dit bestand kunnen wij niet meer lezen. Upload het opnieuw.", "error")
        return redirect(url_for("courses.attendance", edition_id=edition.id))
    report = service.apply_rows(edition, rows, current_user, register_today(), apply=True)
    if report.applied:
        changed = nl_plural(report.changed, "deelnemer", "deelnemers")
        flash(f"Resultaten vastgelegd: {changed} gewijzigd.", "success")
        return redirect(url_for("courses.attendance", edition_id=edition.id))
    return _report(edition, report, form, first_try=False)
