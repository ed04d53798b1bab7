import random

from services.moderation.crowd.crowdflower.adapters.api import CML
from sims.crowd.cml import Form, Question, form_of
from sims.crowd.looks import likeness
from sims.crowd.settings import CrowdSettings
from sims.crowd.workers import GoldRecord, Worker, answers, hire, is_correct, trust_of
from tests.pictures import good_copy, jpeg, noise, original_frame

SETTINGS = CrowdSettings(api_key="k", worker_count=40, untrusted_share=0.3, careless_share=0.1)
FULL_FORM = Form(
    images=("http://p", "http://o"),
    questions=(Question("nudity", True), Question("mimic", True), Question("trying", True)),
)


def test_the_pool_has_sloppy_and_careless_workers_in_about_the_set_shares():
    workers = hire(SETTINGS, random.Random(1))
    assert 4 <= sum(w.sloppy for w in workers) <= 20
    assert sum(w.careless for w in workers) <= 10
    assert all(abs(w.bias_points) <= SETTINGS.mimic_noise_points for w in workers)


def test_ratings_follow_likeness_within_the_noise_and_careless_workers_say_nudity():
    rng = random.Random(3)
    steady = Worker(1, bias_points=0.6)
    careless = Worker(2, bias_points=-0.6, careless=True)
    assert {answers(steady, FULL_FORM, 1.0, rng)["mimic"] for _ in range(50)} == {"5"}
    assert {answers(careless, FULL_FORM, 0.0, rng)["mimic"] for _ in range(50)} == {"1"}
    assert answers(careless, FULL_FORM, 0.9, rng)["nudity"] == "yes"
    assert answers(steady, FULL_FORM, 0.9, rng)["nudity"] == "no"
    assert answers(careless, FULL_FORM, 0.0, rng)["trying"] == "no"


def test_a_worker_answers_only_what_the_rendered_form_asks_and_shows():
    rng = random.Random(4)
    steady = Worker(1, bias_points=0.0)
    mimic_only = Form(images=(), questions=(Question("mimic", True),))
    assert answers(steady, mimic_only, None, rng) == {"mimic": "1"}
    blind = answers(steady, FULL_FORM, None, rng)
    assert (blind["mimic"], blind["trying"]) == ("1", "no")


def test_our_cml_shows_both_images_through_liquid_and_asks_three_required_questions():
    form = form_of(CML, {"photo_url": "http://p/1", "original_url": "http://o/1", "x": "y"})
    assert form.images == ("http://p/1", "http://o/1")
    # First whether the photo loads; the three questions only when it does.
    assert {(q.name, q.required) for q in form.questions} == {
        ("photo_loads", True),
        ("nudity", True),
        ("mimic", True),
        ("trying", True),
    }
    assert form_of("<img src='{{photo}}'>{{ broken", {"photo": "x"}).images == ()


def test_gold_answers_are_checked_against_every_gold_column_one_accepted_answer_a_line():
    gold = {"mimic_gold": "4\n5", "nudity_gold": "no", "photo_url": "http://p"}
    assert is_correct({"mimic": "5", "nudity": "no"}, gold)
    assert is_correct({"mimic": "4", "nudity": "No"}, gold)
    assert not is_correct({"mimic": "3", "nudity": "no"}, gold)
    assert not is_correct({"mimic": "5", "nudity": "yes"}, gold)


def test_trust_is_the_share_of_correct_gold_and_unmeasured_without_gold():
    assert trust_of(None, has_gold=False) == 1.0
    assert trust_of(None, has_gold=True) == 0.0
    assert trust_of(GoldRecord(answered=4, correct=3), has_gold=True) == 0.75


def test_a_copy_looks_like_its_original_and_noise_does_not():
    original = jpeg(original_frame(5))
    assert likeness(good_copy(5), original) > 0.9
    assert likeness(noise(), original) < 0.2
