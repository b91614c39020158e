"""A second step before an irreversible action: the same POST again with ``bevestigd=ja``.

Works without JavaScript: the first POST shows a page that says what will happen and
carries the typed input along as hidden fields; only the confirming POST acts.
"""

from flask import render_template, request

CONFIRMED_FIELD = "bevestigd"


def confirmed() -> bool:
    return request.form.get(CONFIRMED_FIELD) == "ja"


def confirmation_page(
    *, title: str, question: str, consequence: str, button: str, back_url: str, keep=()
):
    """The page that asks; ``keep`` names form fields to carry along unchanged."""
    names = ["csrf_token", *keep] if "csrf_token" in request.form else list(keep)
    carried = [(name, request.form.get(name, "")) for name in names]
    return render_template(
        "confirm.html",
        title=title,
        question=question,
        consequence=consequence,
        button=button,
        back_url=back_url,
        action=request.path,
        carried=carried,
        confirmed_field=CONFIRMED_FIELD,
    )
