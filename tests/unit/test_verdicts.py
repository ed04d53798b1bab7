from services.moderation.reviews.verdicts import (
    REASON_LOW_MIMIC,
    REASON_NOT_TRYING,
    REASON_NUDITY,
    Judgment,
    VerdictRules,
    decide,
    has_quorum,
    unique_judgments,
)

RULES = VerdictRules()


def judgment(n: int, *, trust=0.9, nudity=False, mimic=4, trying=True) -> Judgment:
    return Judgment(f"j{n}", f"w{n}", trust, nudity, mimic, trying)


def test_three_trusted_good_judgments_approve_with_the_mimic_score():
    verdict = decide([judgment(1, mimic=5), judgment(2, mimic=5), judgment(3, mimic=5)], RULES)
    assert verdict is not None
    assert verdict.decision == "approved"
    assert verdict.score == 1.0
    assert verdict.reasons == ()
    assert verdict.judgments == 3


def test_fewer_than_three_trusted_judgments_decide_nothing():
    assert decide([judgment(1), judgment(2)], RULES) is None
    assert not has_quorum([judgment(1), judgment(2)], RULES)


def test_untrusted_workers_do_not_count_towards_the_quorum_or_the_verdict():
    untrusted = [judgment(n, trust=0.5, nudity=True, mimic=1) for n in range(10, 15)]
    assert decide([judgment(1), judgment(2), *untrusted], RULES) is None
    verdict = decide([judgment(1), judgment(2), judgment(3), *untrusted], RULES)
    assert verdict is not None
    assert verdict.decision == "approved"
    assert verdict.judgments == 3


def test_more_than_three_judgments_are_all_weighed():
    good = [judgment(n, mimic=5) for n in range(4)]
    verdict = decide([*good, judgment(9, mimic=1)], RULES)
    assert verdict is not None
    assert verdict.judgments == 5
    assert verdict.score == round((4.2 - 1) / 4, 4)


def test_repeated_judgment_ids_count_once():
    same = judgment(1, mimic=1)
    assert unique_judgments([same, same, judgment(2)]) == [same, judgment(2)]
    assert decide([same, same, same], RULES) is None


def test_a_nudity_share_of_exactly_one_half_rejects():
    judgments = [judgment(1, nudity=True), judgment(2, nudity=True), judgment(3), judgment(4)]
    verdict = decide(judgments, RULES)
    assert verdict is not None
    assert verdict.decision == "rejected"
    assert verdict.reasons == (REASON_NUDITY,)


def test_the_nudity_share_is_weighted_by_trust():
    judgments = [
        judgment(1, nudity=True, trust=1.0),
        judgment(2, trust=0.7),
        judgment(3, trust=0.7),
    ]
    verdict = decide(judgments, RULES)
    assert verdict is not None
    assert verdict.decision == "approved"  # 1.0 / 2.4 < 0.5
    heavier = [
        judgment(1, nudity=True, trust=1.0),
        judgment(2, nudity=True, trust=0.7),
        judgment(3),
    ]
    assert decide(heavier, RULES).reasons == (REASON_NUDITY,)  # type: ignore[union-attr]


def test_a_mimic_mean_of_exactly_three_passes_and_just_below_rejects():
    at_bar = decide([judgment(1, mimic=2), judgment(2, mimic=3), judgment(3, mimic=4)], RULES)
    assert at_bar is not None
    assert at_bar.decision == "approved"
    assert at_bar.score == 0.5
    below = decide([judgment(1, mimic=2), judgment(2, mimic=3), judgment(3, mimic=3)], RULES)
    assert below is not None
    assert below.reasons == (REASON_LOW_MIMIC,)


def test_nobody_trying_rejects_and_every_broken_rule_is_a_reason():
    judgments = [judgment(n, nudity=True, mimic=1, trying=False) for n in range(3)]
    verdict = decide(judgments, RULES)
    assert verdict is not None
    assert verdict.reasons == (REASON_NUDITY, REASON_LOW_MIMIC, REASON_NOT_TRYING)
    assert verdict.score == 0.0


def test_thresholds_come_from_the_rules():
    strict = VerdictRules(min_judgments=5, min_mimic_mean=4.5)
    judgments = [judgment(n, mimic=4) for n in range(5)]
    assert decide(judgments[:4], strict) is None
    assert decide(judgments, strict).reasons == (REASON_LOW_MIMIC,)  # type: ignore[union-attr]
