from services.moderation.reviews.prescreen import gray_sample
from services.moderation.reviews.screening import (
    REASON_BLACK,
    REASON_UNIFORM,
    REASON_WHITE,
    ScreeningRules,
    screen,
)
from tests.pictures import blank, good_copy, jpeg, noise, original_frame

RULES = ScreeningRules()
ORIGINAL = gray_sample(jpeg(original_frame(1)))


def test_a_good_copy_passes_with_a_high_similarity():
    found = screen(gray_sample(good_copy(1)), ORIGINAL, RULES)
    assert found.reason is None
    assert found.similarity is not None
    assert found.similarity > 0.9


def test_noise_passes_the_pre_screen_but_scores_low():
    found = screen(gray_sample(noise()), ORIGINAL, RULES)
    assert found.reason is None
    assert found.similarity is not None
    assert found.similarity < 0.3


def test_black_white_and_uniform_photos_are_rejected_with_a_reason():
    assert screen(gray_sample(blank(3)), ORIGINAL, RULES).reason == REASON_BLACK
    assert screen(gray_sample(blank(252)), ORIGINAL, RULES).reason == REASON_WHITE
    assert screen(gray_sample(blank(128)), ORIGINAL, RULES).reason == REASON_UNIFORM


def test_without_an_original_there_is_no_similarity():
    assert screen(gray_sample(good_copy(1)), None, RULES).similarity is None
