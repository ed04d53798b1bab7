"""What the local MTurk's workers see of a HIT page, and what they send back (pure)."""

import xml.etree.ElementTree as ET

from sims.mturk.questions import ANSWERS_NS, answer_xml, page_of, why_unworkable

FORM = '<form method="POST" action="https://www.mturk.com/mturk/externalSubmit">{}</form>'
ID = '<input type="hidden" name="assignmentId" value="">'
RADIOS = "".join(
    f'<input type="radio" name="{name}" value="{value}" required>'
    for name, values in (("nudity", "yes no"), ("trying", "yes no"))
    for value in values.split()
)
MIMIC = '<input type="number" name="mimic" min="1" max="5" required>'


def test_a_page_with_the_photo_and_the_three_required_questions_can_be_worked():
    page = page_of('<img src="http://x/p.jpg">' + FORM.format(ID + RADIOS + MIMIC))
    assert why_unworkable(page) is None
    assert page.images == ["http://x/p.jpg"]


def test_a_question_outside_the_mturk_form_does_not_count():
    page = page_of(
        '<img src="http://x/p.jpg">' + FORM.format(ID + RADIOS) + f"<form>{MIMIC}</form>"
    )
    assert "mimic" in (why_unworkable(page) or "")


def test_a_rating_that_cannot_take_every_value_cannot_be_answered():
    few = "".join(
        f'<input type="radio" name="mimic" value="{n}" required>' for n in ("1", "2", "3")
    )
    page = page_of('<img src="http://x/p.jpg">' + FORM.format(ID + RADIOS + few))
    assert "mimic" in (why_unworkable(page) or "")


def test_a_form_without_the_assignment_id_cannot_be_submitted():
    page = page_of('<img src="http://x/p.jpg">' + FORM.format(RADIOS + MIMIC))
    assert "assignmentId" in (why_unworkable(page) or "")


def test_the_answer_has_one_free_text_per_submitted_field_but_the_assignment_id():
    hidden = '<input type="hidden" name="submission" value="s-1">'
    page = page_of(FORM.format(ID + hidden + RADIOS + MIMIC))
    root = ET.fromstring(answer_xml(page, {"nudity": "no", "mimic": "4", "trying": "yes"}))
    assert root.tag == f"{{{ANSWERS_NS}}}QuestionFormAnswers"
    given = {
        a.findtext(f"{{{ANSWERS_NS}}}QuestionIdentifier"): a.findtext(f"{{{ANSWERS_NS}}}FreeText")
        for a in root
    }
    assert given == {"submission": "s-1", "nudity": "no", "mimic": "4", "trying": "yes"}


def test_a_select_whose_options_have_no_value_submits_their_text():
    options = "".join(f"<option>{n}</option>" for n in "12345")
    mimic = f'<select name="mimic" required><option value="">?</option>{options}</select>'
    page = page_of('<img src="http://x/p.jpg">' + FORM.format(ID + RADIOS + mimic))
    assert why_unworkable(page) is None
