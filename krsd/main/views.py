"""The home page and a health check."""

from flask import jsonify, render_template
from sqlalchemy import text

from krsd.extensions import db
from krsd.main import bp


@bp.route("/")
def index():
    return render_template("main/index.html")


@bp.route("/gezondheid")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
