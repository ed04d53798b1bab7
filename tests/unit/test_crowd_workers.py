import random

from sims.crowd.looks import likeness
from sims.crowd.settings import CrowdSettings
from sims.crowd.workers import Worker, answers, crew, hire
from tests.pictures import good_copy, jpeg, noise, original_frame

SETTINGS = CrowdSettings(api_key="k", worker_count=40, untrusted_share=0.3, careless_share=0.1)


def test_the_pool_has_untrusted_and_careless_workers_in_about_the_set_shares():
    workers = hire(SETTINGS, random.Random(1))
    untrusted = sum(w.trust < SETTINGS.trusted_min_trust for w in workers)
    assert 4 <= untrusted <= 20
    assert all(abs(w.bias_points) <= SETTINGS.mimic_noise_points for w in workers)


def test_a_crew_keeps_adding_workers_until_enough_are_trusted():
    workers = hire(SETTINGS, random.Random(2))
    for seed in range(20):
        picked = crew(workers, 3, 0.7, random.Random(seed))
        assert sum(w.trust >= 0.7 for w in picked) == 3
        assert picked[-1].trust >= 0.7


def test_ratings_follow_likeness_within_the_noise_and_careless_workers_say_nudity():
    rng = random.Random(3)
    steady = Worker(1, 0.9, bias_points=0.6, careless=False)
    careless = Worker(2, 0.9, bias_points=-0.6, careless=True)
    assert {answers(steady, 1.0, rng)["mimic"] for _ in range(50)} == {"5"}
    assert {answers(careless, 0.0, rng)["mimic"] for _ in range(50)} == {"1"}
    assert answers(careless, 0.9, rng)["nudity"] == "yes"
    assert answers(steady, 0.9, rng)["nudity"] == "no"
    assert answers(careless, 0.0, rng)["trying"] == "no"


def test_a_copy_looks_like_its_original_and_noise_does_not():
    original = jpeg(original_frame(5))
    assert likeness(good_copy(5), original) > 0.9
    assert likeness(noise(), original) < 0.2
