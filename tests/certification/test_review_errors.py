"""The reviewer's messages stand beside the activity they concern, the summary at the top
links there, and the professional's reflection shows its answers under the questions."""

import re

import pytest
from flask import current_app

from krsd.certification import services
from krsd.certification.models import Application
from krsd.certification.rules import State, Verdict
from krsd.extensions import db
from tests.certification.conftest import TODAY

LEARNED = "Hoe ik een gesprek over verzuim opbouw met open vragen."
APPLIED = "Ik begin elk eerste gesprek nu met de vraag wat er speelt."


@pytest.fixture
def claimed(app, applicant, reviewer, make_browser):
    with current_app.test_request_context("/"):
        application = services.submit_application(applicant, TODAY)
        services.claim(application.id, reviewer)
    browser = make_browser()
    browser.login(reviewer.email)
    return application, browser


def _article(html: str, item_id: int) -> str:
    start = html.index(f'id="activiteit-{item_id}"')
    return html[start : html.index("</article>", start)]


def _summary_links(html: str) -> list[tuple[str, str]]:
    main = re.split(r"<main[^>]*>", html, maxsplit=1)[1].lstrip()
    assert main.startswith('<div class="form-errors error-summary"')  # first on the page
    return re.findall(r'<a href="#([^"]+)">([^<]*)</a>', main[: main.index("</ul>")])


def test_approving_with_activities_unjudged_puts_a_message_beside_each(claimed):
    application, browser = claimed
    items = sorted(application.items, key=lambda i: i.id)
    review = f"/commissie/aanvragen/{application.id}"
    judged = items[0]
    browser.submit(review, {f"item{judged.id}-verdict": "accepted", f"item{judged.id}-submit": "1"})

    data = {"decision-decision": "approve", "decision-submit": "1"}  # no motivation either
    response = browser.submit(review, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    waiting = items[1:]
    for item in waiting:
        beside = _article(html, item.id)
        assert f'id="item{item.id}-verdict-error"' in beside
        assert "Beoordeel deze activiteit voordat u de aanvraag goedkeurt." in beside
    assert "Beoordeel deze" not in _article(html, judged.id)
    links = _summary_links(html)
    targets = [target for target, _text in links]
    assert targets == [f"item{i.id}-verdict" for i in waiting] + [
        "decision-form-errors",
        "decision-motivation",
    ]
    assert links[0][1].startswith(f"{waiting[0].activity.title} — Oordeel: Beoordeel deze")
    assert f"{len(waiting)} activiteiten hebben nog geen oordeel" in links[-2][1]
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == State.IN_REVIEW


def test_every_problem_with_a_verdict_shows_beside_its_activity_at_once(claimed):
    application, browser = claimed
    item = sorted(application.items, key=lambda i: i.id)[2]
    review = f"/commissie/aanvragen/{application.id}"
    data = {
        f"item{item.id}-verdict": "accepted_fewer",
        f"item{item.id}-hours": "99",
        f"item{item.id}-submit": "1",
    }
    html = browser.submit(review, data).get_data(as_text=True)
    beside = _article(html, item.id)
    assert "Geef bij ‘minder uren’ een aantal tussen 0 en" in beside
    assert "Licht toe waarom u minder uren accepteert of afwijst." in beside
    for name in ("hours", "comment"):
        tag = re.search(rf'<(?:input|textarea)[^>]*\bid="item{item.id}-{name}"[^>]*>', beside)
        assert 'aria-invalid="true"' in tag.group(0)
    assert [t for t, _ in _summary_links(html)] == [
        f"item{item.id}-hours",
        f"item{item.id}-comment",
    ]
    db.session.expire_all()
    assert db.session.get(type(item), item.id).verdict == Verdict.PENDING


def test_the_reviewer_reads_the_answers_under_the_questions(claimed):
    application, browser = claimed
    items = sorted(application.items, key=lambda i: i.id)
    guided, earlier = items[0].activity, items[1].activity
    guided.reflection, guided.reflection_learned, guided.reflection_applied = "", LEARNED, APPLIED
    db.session.commit()
    html = browser.get(f"/commissie/aanvragen/{application.id}").get_data(as_text=True)
    assert "data-error-summary" not in html
    beside = _article(html, items[0].id)
    learned = beside.index('<h4 class="reflection-question">Wat heeft u geleerd?</h4>')
    applied = beside.index('<h4 class="reflection-question">Hoe gebruikt u dit in uw werk?</h4>')
    assert learned < beside.index(LEARNED) < applied < beside.index(APPLIED)
    assert "Wat gaat u nu anders doen?" not in beside  # not answered: not shown
    other = _article(html, items[1].id)
    assert '<h4 class="reflection-question">Reflectie</h4>' in other
    assert earlier.reflection in other
