"""The guided reflection: two required questions and an optional third, each answer in its
own column; an activity from before the questions keeps its one text as it was written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from krsd.extensions import db
from krsd.portfolio.models import Activity
from krsd.portfolio.rules import (
    EARLIER_REFLECTION,
    REFLECTION_MIN,
    ActivityType,
    Category,
    reflection_answers,
    reflection_problem,
)
from tests.portfolio.conftest import TODAY, free_form

NEW = "/portfolio/activiteiten/nieuw"
LEARNED = "Hoe ik een gesprek over verzuim opbouw met vragen."
APPLIED = "Ik begin elk eerste gesprek nu met de vraag wat er speelt."
EARLIER = "Ik leerde veel en gebruik het dagelijks in mijn werk."


@pytest.mark.parametrize(
    ("text", "required", "problem"),
    [
        ("", True, "Beantwoord deze vraag in minstens 30 tekens."),
        ("   ", True, "Beantwoord deze vraag in minstens 30 tekens."),
        ("x" * 29, True, "Schrijf minstens 30 tekens; nu zijn het er 29."),
        ("  " + "x" * 29 + "  ", True, "Schrijf minstens 30 tekens; nu zijn het er 29."),
        ("x" * 30, True, None),
        ("", False, None),
        ("Kort.", False, None),
        ("x" * 5001, False, "Hoogstens 5000 tekens."),
    ],
)
def test_an_answer_says_at_least_a_sentence(text, required, problem):
    assert REFLECTION_MIN == 30
    assert reflection_problem(text, required) == problem


def test_the_answers_show_under_their_questions_and_an_earlier_text_as_it_was():
    answers = {"learned": LEARNED, "applied": APPLIED, "change": None}
    assert reflection_answers(answers, "") == (
        ("Wat heeft u geleerd?", LEARNED),
        ("Hoe gebruikt u dit in uw werk?", APPLIED),
    )
    empty = {"learned": None, "applied": None, "change": None}
    assert reflection_answers(empty, EARLIER) == ((EARLIER_REFLECTION, EARLIER),)
    assert reflection_answers(empty, "") == ()


def test_the_answers_are_stored_in_their_own_columns(browser, professional):
    data = free_form(
        reflection_learned=LEARNED,
        reflection_applied=APPLIED,
        reflection_change="  Eerder bellen.  ",
    )
    assert browser.submit(NEW, data, content_type="multipart/form-data").status_code == 302
    activity = db.session.scalar(select(Activity))
    assert (activity.reflection_learned, activity.reflection_applied) == (LEARNED, APPLIED)
    assert activity.reflection_change == "Eerder bellen."
    assert activity.reflection == ""

    page = browser.get(f"/portfolio/activiteiten/{activity.id}").get_data(as_text=True)
    reflection = page[page.index("<h2>Reflectie</h2>") :]
    for question, answer in (
        ("Wat heeft u geleerd?", LEARNED),
        ("Hoe gebruikt u dit in uw werk?", APPLIED),
        ("Wat gaat u nu anders doen?", "Eerder bellen."),
    ):
        heading = f'<h3 class="reflection-question">{question}</h3>'
        assert heading in reflection
        after = reflection[reflection.index(heading) :]
        assert after.index(answer) < after.index("</p>")


def _earlier_activity(owner) -> Activity:
    activity = Activity(
        owner_id=owner.id,
        category=Category.FREE,
        type=ActivityType.WORKSHOP,
        title="Workshop gespreksvoering",
        provider="Ingrado",
        activity_date=TODAY - timedelta(days=40),
        hours=Decimal("4"),
        reflection=EARLIER,
    )
    db.session.add(activity)
    db.session.commit()
    return activity


def test_an_earlier_activity_shows_its_text_and_keeps_it_when_edited(browser, professional):
    activity = _earlier_activity(professional)
    page = browser.get(f"/portfolio/activiteiten/{activity.id}").get_data(as_text=True)
    assert f'<h3 class="reflection-question">{EARLIER_REFLECTION}</h3>' in page
    assert EARLIER in page

    edit = f"/portfolio/activiteiten/{activity.id}/bewerken"
    form = browser.get(edit).get_data(as_text=True)
    learned = form[form.index('id="reflection_learned"') :]
    assert learned.index(EARLIER) < learned.index("</textarea>")  # the first answer now

    data = free_form(
        title="Workshop gespreksvoering",
        reflection_learned=EARLIER,
        reflection_applied=APPLIED,
        files=[],
    )
    assert browser.submit(edit, data, content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    saved = db.session.get(Activity, activity.id)
    assert (saved.reflection, saved.reflection_learned) == ("", EARLIER)
    assert saved.reflection_applied == APPLIED


def test_editing_an_earlier_activity_asks_the_second_question_too(browser, professional):
    activity = _earlier_activity(professional)
    edit = f"/portfolio/activiteiten/{activity.id}/bewerken"
    data = free_form(reflection_learned=EARLIER, reflection_applied="", files=[])
    html = browser.submit(edit, data, content_type="multipart/form-data").get_data(as_text=True)
    assert '<a href="#reflection_applied">' in html
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).reflection == EARLIER  # unchanged
