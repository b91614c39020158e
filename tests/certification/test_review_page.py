"""The review page's workflow: stay at the judged activity, errors beside it, evidence in the
page (inline, sandboxed), accept all remaining with one confirmation, and a fixed number of
SQL statements for the review page and the queue whatever their size."""

import hashlib
import json
import secrets
import struct
import zlib
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import func, select

from krsd import storage
from krsd.audit import AuditEntry
from krsd.auth.rules import RoleName
from krsd.certification import appeals, services
from krsd.certification.models import Application, ApplicationActivity
from krsd.certification.rules import Verdict
from krsd.extensions import db
from krsd.portfolio.models import Evidence
from krsd.portfolio.rules import Category
from tests.certification.conftest import TODAY, add_activity, fill_portfolio
from tests.portfolio.conftest import PDF, docx_bytes

INLINE_CSP = (
    "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"
)


def png_bytes(width=4, height=3, rgb=(200, 30, 30)) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def attach(activity, content: bytes, label: str, kind: str) -> Evidence:
    """Evidence on disk and in the database, as an upload leaves it."""
    stored_name = secrets.token_urlsafe(24)
    storage.put(stored_name, content)
    evidence = Evidence(
        activity_id=activity.id,
        stored_name=stored_name,
        label=label,
        kind=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    db.session.add(evidence)
    db.session.commit()
    return evidence


def _fetch(browser, url: str):
    """GET a file; it is streamed, so close it as a WSGI server would."""
    response = browser.get(url)
    response.get_data()
    response.close()
    return response


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _article(html: str, item_id: int) -> str:
    start = html.index(f'id="activiteit-{item_id}"')
    return html[start : html.index("</article>", start)]


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")


@pytest.fixture
def request_context(app):
    with current_app.test_request_context("/"):
        yield


@pytest.fixture
def claimed(request_context, applicant, reviewer, make_browser):
    """An application in review by ``reviewer``, and that reviewer's browser."""
    app = services.submit_application(applicant, TODAY)
    services.claim(app.id, reviewer)
    browser = make_browser()
    browser.login(reviewer.email)
    return app, browser


def test_after_a_verdict_the_reviewer_is_back_at_the_activity(claimed):
    app, browser = claimed
    item = sorted(app.items, key=lambda i: i.id)[2]
    review = f"/commissie/aanvragen/{app.id}"
    data = {f"item{item.id}-verdict": "accepted", f"item{item.id}-submit": "1"}
    response = browser.submit(review, data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{review}#activiteit-{item.id}"
    html = browser.get(review).get_data(as_text=True)
    assert f'action="{review}#activiteit-{item.id}"' in html


def test_a_refused_verdict_shows_its_message_beside_the_activity(claimed):
    app, browser = claimed
    items = sorted(app.items, key=lambda i: i.id)
    item = items[3]
    review = f"/commissie/aanvragen/{app.id}"
    data = {
        f"item{item.id}-verdict": "accepted_fewer",
        f"item{item.id}-hours": "99",
        f"item{item.id}-comment": "Te veel uren opgegeven.",
        f"item{item.id}-submit": "1",
    }
    response = browser.submit(review, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    beside = _article(html, item.id)
    assert "Geef bij ‘minder uren’ een aantal tussen 0 en 36 uur op." in beside
    assert 'value="Te veel uren opgegeven."' in beside or "Te veel uren opgegeven." in beside
    # At the top only the error summary, whose entry links to the field beside the activity.
    top = html.split('id="activiteiten"', 1)[0]
    assert top.count("Geef bij ‘minder uren’") == 1
    assert f'<a href="#item{item.id}-hours">' in top
    for other in items[:3]:
        assert "Geef bij" not in _article(html, other.id)
    db.session.expire_all()
    assert db.session.get(ApplicationActivity, item.id).verdict == Verdict.PENDING

    no_comment = {f"item{item.id}-verdict": "rejected", f"item{item.id}-submit": "1"}
    html = browser.submit(review, no_comment).get_data(as_text=True)
    assert "Licht toe waarom" in _article(html, item.id)


def test_a_verdict_on_a_decided_application_is_a_message_at_the_top(claimed, reviewer):
    app, browser = claimed
    item = app.items[0]
    review = f"/commissie/aanvragen/{app.id}"
    token = browser.csrf_token(review)
    services.decide(app, reviewer, False, "Afgewezen.", TODAY)
    data = {f"item{item.id}-verdict": "accepted", f"item{item.id}-submit": "1"}
    page = _flat(browser.post(review, data={**data, "csrf_token": token}))
    assert "Over deze aanvraag is al besloten." in page


# --- evidence in the page ------------------------------------------------------------------


def test_pdf_and_image_evidence_is_shown_inline_in_a_sandbox(claimed, applicant):
    app, browser = claimed
    activities = [i.activity for i in sorted(app.items, key=lambda i: i.id)]
    pdf = attach(activities[0], PDF, "deelname.pdf", "pdf")
    png = attach(activities[1], png_bytes(), "foto.png", "png")
    docx = attach(activities[2], docx_bytes(), "verslag.docx", "docx")
    review = f"/commissie/aanvragen/{app.id}"
    page = browser.get(review)
    assert "frame-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    html = page.get_data(as_text=True)
    inline = "/portfolio/bewijsstukken/{}/bekijken"
    assert f'<iframe class="evidence-frame" src="{inline.format(pdf.id)}"' in html
    assert f'<img class="evidence-image" src="{inline.format(png.id)}"' in html
    assert inline.format(docx.id) not in html  # downloaded, never shown inline
    assert 'loading="lazy"' in _article(html, app.items[0].id)

    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    for evidence, mimetype in ((pdf, "application/pdf"), (png, "image/png")):
        response = _fetch(browser, inline.format(evidence.id))
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["Content-Security-Policy"] == INLINE_CSP
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"].startswith("inline")
    downloads = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "portfolio.evidence_downloaded")
    ).all()
    assert len(downloads) == 2
    assert before + 2 == db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert json.loads(downloads[0].details)["application_id"] == app.id

    assert browser.get(inline.format(docx.id)).status_code == 404
    download = _fetch(browser, f"/portfolio/bewijsstukken/{pdf.id}")
    assert download.headers["X-Frame-Options"] == "DENY"
    assert download.headers["Content-Disposition"].startswith("attachment")


# --- accept all remaining -------------------------------------------------------------------


def test_accept_all_remaining_as_logged_after_one_confirmation(claimed, reviewer):
    app, browser = claimed
    items = sorted(app.items, key=lambda i: i.id)
    review = f"/commissie/aanvragen/{app.id}"
    fewer = {
        f"item{items[0].id}-verdict": "accepted_fewer",
        f"item{items[0].id}-hours": "5",
        f"item{items[0].id}-comment": "Deel van de dag.",
        f"item{items[0].id}-submit": "1",
    }
    browser.submit(review, fewer)
    page = _flat(browser.get(review))
    assert "3 van 4 activiteiten zijn nog niet beoordeeld." in page

    asked = _flat(browser.submit(review, {"remaining-submit": "1"}))
    assert "Weet u zeker dat u de 3 nog niet beoordeelde activiteiten" in asked
    assert "samen 88 uur" in asked  # 16 + 36 + 36 logged
    db.session.expire_all()
    assert db.session.get(ApplicationActivity, items[1].id).verdict == Verdict.PENDING

    done = browser.submit(review, {"remaining-submit": "1", "bevestigd": "ja"})
    assert done.headers["Location"] == f"{review}#besluit"
    db.session.expire_all()
    judged = [db.session.get(ApplicationActivity, i.id) for i in items]
    assert (judged[0].verdict, judged[0].accepted_hours) == (Verdict.ACCEPTED_FEWER, Decimal(5))
    for item in judged[1:]:
        assert item.verdict == Verdict.ACCEPTED
        assert item.accepted_hours == item.activity.hours
        assert item.judged_by_id == reviewer.id
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "certification.judge_activity")
    ).all()
    assert sum(json.loads(e.details).get("all_remaining", False) for e in entries) == 3
    assert "3 activiteiten zijn geaccepteerd met de gelogde uren." in _flat(browser.get(review))
    assert "Alle resterende accepteren" not in _flat(browser.get(review))

    again = _flat(browser.submit(review, {"remaining-submit": "1", "bevestigd": "ja"}))
    assert "Alle activiteiten zijn al beoordeeld." in again


def test_only_the_reviewer_in_charge_accepts_all_remaining(claimed, make_user, make_browser):
    app, _ = claimed
    other = make_user(roles={RoleName.REVIEWER}, email="ander-lid@example.nl")
    browser = make_browser()
    browser.login(other.email)
    review = f"/commissie/aanvragen/{app.id}"
    assert "Alle resterende accepteren" not in _flat(browser.get(review))
    page = _flat(browser.submit(review, {"remaining-submit": "1", "bevestigd": "ja"}))
    assert "Deze aanvraag is niet door u in behandeling." in page
    db.session.expire_all()
    assert all(i.verdict == Verdict.PENDING for i in db.session.get(Application, app.id).items)


# --- a fixed number of SQL statements -------------------------------------------------------


def _big_portfolio(user, free_items: int) -> None:
    fill_portfolio(user, accredited=("16", "8"), free=())
    for n in range(free_items):
        add_activity(user, Category.FREE, "3", 20 + n, title=f"Intervisie {n}")


@pytest.mark.parametrize("sizes", [(0, 26)])
def test_the_review_page_runs_a_fixed_number_of_statements(
    request_context, make_user, make_browser, reviewer, sizes
):
    counts = []
    browser = make_browser()
    browser.login(reviewer.email)
    for n, extra in enumerate(sizes):
        user = make_user(email=f"groot{n}@example.nl")
        _big_portfolio(user, 24 + extra)
        app = services.submit_application(user, TODAY)
        services.claim(app.id, reviewer)
        for item in app.items:
            attach(item.activity, PDF, "bewijs.pdf", "pdf")
            attach(item.activity, png_bytes(), "foto.png", "png")
        services.judge(
            app, app.items[0].id, reviewer, services.Judgement(Verdict.ACCEPTED, None, "")
        )
        counts.append((len(app.items), browser.queries_for(f"/commissie/aanvragen/{app.id}")))
    (small_items, small), (big_items, big) = counts
    assert big_items >= small_items + 26
    assert small == big, counts


def _queue_of(batch: int, size: int, make_user, reviewer, decider) -> None:
    """Per row: one waiting application, one rejected with an appeal, one in review."""
    for m in range(size):
        n = f"{batch}-{m}"
        waiting = make_user(email=f"w{n}@example.nl", name=f"Wachtend {n}")
        fill_portfolio(waiting)
        services.submit_application(waiting, TODAY)
        objecting = make_user(email=f"b{n}@example.nl", name=f"Bezwaarmaker {n}")
        fill_portfolio(objecting)
        app = services.submit_application(objecting, TODAY)
        services.claim(app.id, decider)
        services.decide(app, decider, False, "Afgewezen.", TODAY)
        appeals.lodge(app.id, objecting, "Niet mee eens.", TODAY)
        in_review = make_user(email=f"r{n}@example.nl", name=f"In behandeling {n}")
        fill_portfolio(in_review)
        app = services.submit_application(in_review, TODAY)
        services.claim(app.id, reviewer if m % 2 else decider)


def test_the_queue_runs_a_fixed_number_of_statements(
    request_context, make_user, make_browser, reviewer
):
    decider = make_user(roles={RoleName.REVIEWER}, email="besluiter@example.nl")
    browser = make_browser()
    browser.login(reviewer.email)
    counts = []
    for batch, size in enumerate((2, 5)):  # 2, then 7 of each kind
        _queue_of(batch, size, make_user, reviewer, decider)
        html = browser.get("/commissie").get_data(as_text=True)
        assert html.count("Bezwaarmaker") >= (2, 7)[batch]
        counts.append(browser.queries_for("/commissie"))
    assert counts[0] == counts[1], counts
