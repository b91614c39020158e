"""The home page and a health check."""

from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from krsd.auth.rules import RoleName
from krsd.courses.catalogue import trainer_summary
from krsd.extensions import db
from krsd.main import bp


@bp.route("/")
def index():
    trainer = None
    if current_user.is_authenticated and current_user.has_role(RoleName.TRAINER):
        trainer = trainer_summary(current_user.id)
    return render_template("main/index.html", trainer_summary=trainer)


@bp.route("/gezondheid")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
