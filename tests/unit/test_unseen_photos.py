"""A photo nobody could see is never judged: workers may say it does not load, such
answers never count, the photo is asked again, and photo links are loaded before a unit
or a HIT is ordered (pure rules, the forms, and the use cases over fakes)."""

import json
import random
from datetime import timedelta

import pytest

from services.moderation.crowd.crowdflower.adapters.api import CML, unit_columns
from services.moderation.crowd.crowdflower.crowd import CrowdflowerCrowd
from services.moderation.crowd.crowdflower.payloads import (
    MalformedPayload,
    parse_judgments,
    parse_unit_payload,
)
from services.moderation.crowd.crowdflower.ports import UnitRequest
from services.moderation.crowd.links import PhotoLinks
from services.moderation.crowd.mturk.hits import (
    UNSEEN,
    MalformedAnswer,
    parse_answers,
    payment_for,
    question_xml,
)
from services.moderation.reviews.review import REASON_PHOTO_DOWN, REASON_SHORT_AT_CAP
from services.moderation.reviews.verdicts import (
    Judgment,
    VerdictRules,
    decide,
    has_quorum,
    is_short_of_sight,
    judgments_needed,
)
from shared.metrics import Tally
from sims.crowd.cml import form_of
from sims.crowd.workers import UNSEEN as BROKEN_IMAGE
from sims.crowd.workers import Worker, answers
from sims.mturk.questions import html_of, page_of, why_unworkable
from tests.fakes.moderation import FakeLinkProbe
from tests.pictures import good_copy
from tests.unit import test_moderation_usecases as cf
from tests.unit import test_mturk_usecases as mt

RULES = VerdictRules()
SUBMIT = "https://workersandbox.mturk.com/mturk/externalSubmit"


def seen(n: int, mimic: int = 5, trust: float = 0.9) -> Judgment:
    return Judgment(f"j{n}", f"w{n}", trust, False, mimic, True)


def unseen(n: int, trust: float = 0.9) -> Judgment:
    return Judgment(f"u{n}", f"v{n}", trust, False, 1, False, loads=False)


# The verdict -------------------------------------------------------------------------


def test_broken_image_answers_never_decide_not_even_as_a_rejection():
    blind = [unseen(1), unseen(2), unseen(3), unseen(4)]
    assert decide(blind, RULES) is None
    assert not has_quorum(blind, RULES)
    assert judgments_needed(blind, RULES) == 3
    assert is_short_of_sight(blind, RULES)


def test_broken_image_answers_do_not_count_towards_mimic_nudity_or_the_quorum():
    verdict = decide([seen(1), seen(2), unseen(1), seen(3)], RULES)
    assert verdict is not None
    assert (verdict.decision, verdict.score, verdict.judgments) == ("approved", 1.0, 3)
    assert decide([seen(1), seen(2), unseen(1)], RULES) is None
    assert judgments_needed([seen(1), seen(2), unseen(1)], RULES) == 1


def test_only_a_trusted_broken_image_answer_calls_for_asking_again():
    assert not is_short_of_sight([seen(1), seen(2)], RULES)  # short, but not of sight
    assert not is_short_of_sight([seen(1), seen(2), unseen(1, trust=0.2)], RULES)
    assert is_short_of_sight([seen(1), seen(2), unseen(1)], RULES)
    assert not is_short_of_sight([seen(1), seen(2), seen(3), unseen(1)], RULES)


# Crowdflower: the CML and the answers --------------------------------------------------


def test_the_cml_asks_whether_the_photo_loads_first_and_the_rest_only_if_it_does():
    form = form_of(CML, {"photo_url": "http://p/1", "original_url": "http://o/1"})
    assert form.images == ("http://p/1", "http://o/1")
    names = [(q.name, q.required, q.only_if) for q in form.questions]
    assert names == [
        ("photo_loads", True, None),
        ("nudity", True, "photo_loads:[yes]"),
        ("mimic", True, "photo_loads:[yes]"),
        ("trying", True, "photo_loads:[yes]"),
    ]


def test_a_simulated_worker_who_cannot_load_the_photo_says_so_and_nothing_else():
    form = form_of(CML, {"photo_url": "http://p/1", "original_url": "http://o/1"})
    rng = random.Random(1)
    for worker in (Worker(1, 0.0), Worker(2, 0.0, sloppy=True), Worker(3, 0.0, careless=True)):
        assert answers(worker, form, BROKEN_IMAGE, rng) == {"photo_loads": "no"}
    given = answers(Worker(1, 0.0), form, 1.0, rng)
    assert (given["photo_loads"], given["mimic"], given["nudity"]) == ("yes", "5", "no")


def crowd_judgment(data: dict[str, object], n: int = 1) -> dict[str, object]:
    return {"id": f"j{n}", "worker_id": f"w{n}", "worker_trust": 0.9, "data": data}


def test_a_does_not_load_judgment_needs_no_other_answer_and_never_counts():
    found = parse_judgments(
        [
            crowd_judgment({"photo_loads": "no"}, 1),
            crowd_judgment({"photo_loads": ["no"], "mimic": "5", "nudity": "yes"}, 2),
            crowd_judgment({"photo_loads": "yes", "nudity": "no", "mimic": "4"}, 3),
            crowd_judgment({"nudity": "no", "mimic": "4", "trying": "yes"}, 4),
        ]
    )
    assert [j.loads for j in found] == [False, False, True, True]
    assert not found[1].nudity  # what a blind worker clicked means nothing
    assert (found[3].mimic, found[3].trying) == (4, True)  # an old job's judgment loads


def test_a_judgment_of_a_photo_that_loads_still_needs_its_answers():
    with pytest.raises(MalformedPayload, match="not a list of judgments"):
        parse_judgments([crowd_judgment({"photo_loads": "yes", "mimic": "4"})])
    payload = json.dumps(
        {
            "id": "u1",
            "job_id": "1",
            "data": {"submission_id": "s1"},
            "results": {"judgments": [crowd_judgment({"photo_loads": "no"})]},
        }
    )
    assert [j.loads for j in parse_unit_payload(payload).judgments()] == [False]


def test_a_unit_asking_again_names_its_round_and_a_first_unit_does_not():
    first = UnitRequest("s1", "http://p", "http://o")
    assert "ask" not in unit_columns(first)
    assert unit_columns(UnitRequest("s1", "http://p", "http://o", ask=2))["ask"] == "2"


# Mechanical Turk: the HTMLQuestion and the answers ----------------------------------


def test_the_hit_page_has_a_does_not_load_button_that_skips_the_required_inputs():
    page = page_of(html_of(question_xml("https://p/1", "https://o/1", SUBMIT)))
    assert why_unworkable(page) is None
    assert [(b.name, b.value, b.skips_checks) for b in page.buttons] == [
        ("photo_loads", "yes", False),
        ("photo_loads", "no", True),
    ]


def answer_document(**fields: str) -> str:
    answers = "".join(
        f"<Answer><QuestionIdentifier>{name}</QuestionIdentifier>"
        f"<FreeText>{value}</FreeText></Answer>"
        for name, value in fields.items()
    )
    return f"<QuestionFormAnswers>{answers}</QuestionFormAnswers>"


def test_a_does_not_load_assignment_reads_as_unseen_and_is_left_to_auto_approval():
    assert parse_answers(answer_document(photo_loads="no")) == UNSEEN
    assert parse_answers(answer_document(photo_loads="no", mimic="5")) == UNSEEN
    loads = parse_answers(answer_document(photo_loads="yes", nudity="no", mimic="4", trying="yes"))
    assert (loads.loads, loads.mimic) == (True, 4)
    assert parse_answers(answer_document(nudity="no", mimic="4", trying="yes")).loads
    with pytest.raises(MalformedAnswer):
        parse_answers(answer_document(photo_loads="maybe"))
    with pytest.raises(MalformedAnswer):
        parse_answers(answer_document(photo_loads="yes", mimic="4"))
    assert payment_for(unseen(1), UNSEEN, True, RULES, approve_all=True) == "leave"


# Photo links -------------------------------------------------------------------------


async def test_a_link_that_does_not_load_is_logged_and_counted_once_per_check(caplog):
    probe, tally = FakeLinkProbe(down={"medium"}), Tally()
    links = PhotoLinks(probe, tally)
    assert await links.load("s1", ["http://x/original", "http://x/original"])
    assert not await links.load("s1", ["http://x/medium.jpg", "http://x/original"])
    assert tally.value("ofof_photo_links_down") == 1
    assert "does not load" in caplog.text


def crowdflower_of(world: cf.World) -> CrowdflowerCrowd:
    found = world.moderator.crowd.crowds["crowdflower"]  # type: ignore[attr-defined]
    assert isinstance(found, CrowdflowerCrowd)
    return found


def with_links(world: cf.World, probe: FakeLinkProbe) -> cf.World:
    crowd = crowdflower_of(world)
    crowd.work.links = PhotoLinks(probe)
    assert crowd.second_look is not None
    crowd.second_look.links = crowd.work.links
    return world


async def test_a_unit_whose_photo_does_not_load_is_not_ordered_until_it_does():
    probe = FakeLinkProbe(down={"submissions/s1/medium"})
    world = with_links(cf.World(), probe)
    review = await world.moderator.ingest(world.submission("s1", good_copy(1)))
    assert (review.unit_id, review.unit_ordered_at, review.reasons) == (
        "unit-1",
        None,
        (REASON_PHOTO_DOWN,),
    )
    assert world.crowd.ordered == 0
    world.now += timedelta(seconds=31)
    await world.moderator.reconcile()
    assert world.crowd.ordered == 0
    probe.down.clear()
    await world.moderator.reconcile()
    ordered = await world.moderator.review("s1")
    assert (ordered.unit_ordered_at, ordered.reasons, world.crowd.ordered) == (world.now, (), 1)


async def blind_unit(world: cf.World) -> str:
    """A unit whose three workers could not load the photo, finalized by the crowd."""
    review = await world.moderator.ingest(world.submission("s1", good_copy(1)))
    assert review.unit_id is not None
    world.crowd.unit_judgments[review.unit_id] = [unseen(n) for n in range(3)]
    world.crowd.states[review.unit_id] = "finalized"
    world.now += timedelta(seconds=31)
    return review.unit_id


async def test_a_unit_its_workers_could_not_see_is_asked_again_once_the_photo_loads():
    probe = FakeLinkProbe(down={"submissions/s1/medium"})
    world = with_links(cf.World(), probe)
    probe.down.clear()
    first = await blind_unit(world)
    probe.down.add("submissions/s1/medium")
    await world.moderator.reconcile()
    waiting = await world.moderator.review("s1")
    assert (waiting.status, waiting.unit_id, waiting.rounds) == ("pending", first, 0)
    assert world.queues.verdicts == []
    probe.down.clear()
    await world.moderator.reconcile()
    asked = await world.moderator.review("s1")
    assert (asked.status, asked.rounds, asked.unit_round) == ("pending", 1, 1)
    assert asked.unit_id != first and asked.unit_ordered_at == world.now
    assert world.crowd.units[asked.unit_id].ask == 1
    assert world.crowd.ordered == 2
    await world.moderator.reconcile()
    assert len(world.crowd.units) == 2  # the new unit is still being judged: no third
    world.crowd.unit_judgments[asked.unit_id] = [seen(n) for n in range(3)]
    await world.moderator.reconcile()
    decided = await world.moderator.review("s1")
    assert (decided.status, decided.judgment_count) == ("approved", 3)
    assert [v.verdict for v in world.queues.verdicts] == ["approved"]


async def test_a_round_recorded_before_a_crash_finds_its_unit_instead_of_making_another():
    world = cf.World()
    first = await blind_unit(world)
    review = await world.moderator.review("s1")
    await world.store.put(review.changed(topup_rounds=1))  # crashed after recording
    await world.crowd.create_unit("job-demo", UnitRequest("s1", "http://p", "http://o", ask=1))
    await world.moderator.reconcile()
    asked = await world.moderator.review("s1")
    assert (asked.unit_id, asked.unit_round) == ("unit-2", 1)
    assert asked.unit_id != first and len(world.crowd.units) == 2


async def test_after_three_rounds_nobody_could_see_the_review_waits_for_an_operator():
    world = cf.World()
    await blind_unit(world)
    for _ in range(3):
        await world.moderator.reconcile()
        asked = await world.moderator.review("s1")
        assert asked.unit_id is not None
        more = [unseen(n + 10 * asked.rounds) for n in range(3)]
        world.crowd.unit_judgments[asked.unit_id] = more
        world.crowd.states[asked.unit_id] = "finalized"
    await world.moderator.reconcile()
    await world.moderator.reconcile()
    review = await world.moderator.review("s1")
    assert (review.status, review.rounds, review.reasons) == ("pending", 3, (REASON_SHORT_AT_CAP,))
    assert review.waits_for_operator
    assert len(world.crowd.units) == 4


async def test_a_hit_whose_photo_does_not_load_is_not_created_until_it_does():
    world = mt.World()
    probe = FakeLinkProbe(down={"submissions/s1/medium"})
    world.hits.links = PhotoLinks(probe)
    review = await world.moderator.ingest(world.submission("s1"))
    assert (review.status, review.unit_id, world.mturk.hits) == ("pending", None, {})
    probe.down.clear()
    world.hits.clock = lambda: mt.NOW + timedelta(seconds=31)
    world.moderator.clock = world.hits.clock
    await world.moderator.reconcile()
    assert (await world.moderator.review("s1")).unit_id == "HIT1"


async def test_a_hit_its_workers_could_not_see_is_topped_up_once_the_photo_loads():
    world = mt.World()
    probe = FakeLinkProbe()
    world.hits.links = PhotoLinks(probe)
    await world.moderator.ingest(world.submission("s1"))
    blind = [world.mturk.answer("HIT1", f"w{n}", answer_document(photo_loads="no")) for n in "123"]
    assert await world.receive_hit("HIT1") == "pending"
    probe.down.add("submissions/s1/medium")
    await world.moderator.reconcile()
    assert world.mturk.rounds == []  # the photo still does not load: no money spent yet
    probe.down.clear()
    await world.moderator.reconcile()
    assert world.mturk.rounds == [("HIT1", 3, "s1", 1)]
    for worker in ("w4", "w5", "w6"):
        world.mturk.answer("HIT1", worker, mt.answer_xml("no", "5", "yes"))
    await world.moderator.reconcile()
    review = await world.moderator.review("s1")
    assert (review.status, review.judgment_count) == ("approved", 3)
    assert not any(a.assignment_id in world.mturk.approved for a in blind)
    assert all(w not in world.trust.counts for w in ("w1", "w2", "w3"))


def test_a_page_without_a_does_not_load_button_offers_none_and_old_forms_still_work():
    old_page = question_xml("https://p/1", "https://o/1", SUBMIT).replace(
        'name="photo_loads" value="no" formnovalidate', 'name="other" value="x"'
    )
    page = page_of(html_of(old_page))
    assert why_unworkable(page) is None
    assert page.unseen_button() is None
    assert page.pressed() == {"photo_loads": "yes"}
    old_cml = form_of(
        '<img src="{{p}}"/><img src="{{o}}"/><cml:ratings name="mimic" validates="required"/>',
        {"p": "http://p", "o": "http://o"},
    )
    # A worker facing a broken image on a form that cannot say so rates it as nothing alike.
    assert answers(Worker(1, 0.0), old_cml, BROKEN_IMAGE, random.Random(2)) == {"mimic": "1"}
