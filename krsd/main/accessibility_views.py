"""The accessibility statement (toegankelijkheidsverklaring), in the form Dutch public
bodies publish it."""

from datetime import date

from flask import current_app, render_template

from krsd.main import bp

#: the day the statement was drawn up; a new test round means a new date
STATEMENT_DATE = date(2026, 11, 27)
#: the WCAG 2.1 AA status, in the words of the model statement
STATUS = "voldoet gedeeltelijk"
#: how soon the registerbureau answers a report about a barrier
RESPONSE_WORKDAYS = 5


@bp.route("/toegankelijkheid")
def accessibility():
    return render_template(
        "main/accessibility.html",
        statement_date=STATEMENT_DATE,
        status=STATUS,
        response_workdays=RESPONSE_WORKDAYS,
        support_email=current_app.config["SUPPORT_EMAIL"],
    )
