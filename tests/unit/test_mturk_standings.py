"""The local MTurk's workers' qualification values and who meets which requirement (pure)."""

import random

from services.moderation.settings import DEFAULT_QUALIFICATIONS
from sims.crowd.workers import Worker, hire
from sims.mturk.qualifications import APPROVAL_RATE, LOCALE, Standing, standings
from sims.mturk.requirements import meets
from sims.mturk.settings import MTurkSimSettings

DEFAULTS = [q.requirement() for q in DEFAULT_QUALIFICATIONS]


def a_pool(seed: int, **settings: object) -> list[tuple[Worker, Standing]]:
    chosen = MTurkSimSettings(**settings)
    rng = random.Random(seed)
    workers = hire(chosen, rng)
    return list(zip(workers, standings(workers, chosen.newcomer_share, rng), strict=True))


def test_approval_rates_follow_the_kind_of_worker_and_newcomers_show_full_marks():
    pool = [pair for seed in range(20) for pair in a_pool(seed, newcomer_share=0.3)]
    for worker, standing in pool:
        if standing.hits_approved < 100:
            assert standing.percent_approved == 100
        elif worker.sloppy:
            assert 55 <= standing.percent_approved <= 90
        elif worker.careless:
            assert 85 <= standing.percent_approved <= 94
        else:
            assert 95 <= standing.percent_approved <= 100
    assert any(s.hits_approved < 100 for _, s in pool) and len({s.country for _, s in pool}) > 3


def test_with_moderations_default_requirements_only_good_seasoned_workers_qualify():
    for seed in range(200):
        qualified = [w for w, s in a_pool(seed) if meets(DEFAULTS, s)]
        assert len(qualified) >= 3
        assert not any(w.sloppy or w.careless for w in qualified)


def test_comparators_compare_as_mturk_documents_them():
    standing = Standing(percent_approved=96, hits_approved=150, country="IN")

    def met(comparator: str, **values: object) -> bool:
        type_id = LOCALE if "LocaleValues" in values else APPROVAL_RATE
        return meets(
            [{"QualificationTypeId": type_id, "Comparator": comparator, **values}], standing
        )

    assert met("GreaterThan", IntegerValues=[95]) and not met(
        "LessThanOrEqualTo", IntegerValues=[95]
    )
    assert met("In", IntegerValues=[90, 96]) and not met("NotIn", IntegerValues=[96])
    assert met("Exists") and not met("DoesNotExist")
    assert met("EqualTo", LocaleValues=[{"Country": "IN"}])
    assert met("NotIn", LocaleValues=[{"Country": "US"}, {"Country": "GB"}])
    assert not met("EqualTo", LocaleValues=[{"Country": "IN", "Subdivision": "KA"}])
    assert meets([], standing) and meets(None, standing)
