from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/cursussen")
