from flask import Blueprint

# No prefix: the public /register and /verify/<code> URLs are printed on certificates.
bp = Blueprint("certification", __name__)
