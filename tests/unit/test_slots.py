from datetime import UTC, datetime, timedelta

from services.renderer.renders.clips import BlobRef
from services.renderer.renders.slots import (
    Candidate,
    SlotChoice,
    best_candidate,
    next_choice,
    supersedes,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def cand(sub, verdict="approved", score=0.5, minutes=0):
    return Candidate(sub, verdict, score, T0 + timedelta(minutes=minutes), f"k/{sub}", "e")


def test_no_candidates_means_the_original_frame():
    assert best_candidate([]) is None


def test_the_highest_scored_approval_wins():
    assert (
        best_candidate(
            [cand("a", score=0.6), cand("b", score=0.9), cand("c", score=0.7)]
        ).submission_id
        == "b"
    )


def test_a_lower_scored_approval_does_not_replace_the_current_photo():
    assert (
        best_candidate([cand("a", score=0.9), cand("b", score=0.4, minutes=5)]).submission_id == "a"
    )


def test_rejecting_the_best_photo_falls_back_to_the_next_best():
    candidates = [cand("a", "rejected", 0.9), cand("b", score=0.7), cand("c", score=0.5)]
    assert best_candidate(candidates).submission_id == "b"


def test_rejecting_the_only_photo_falls_back_to_the_original():
    assert best_candidate([cand("a", "rejected", 0.9)]) is None


def test_ties_go_to_the_earlier_decision():
    assert (
        best_candidate([cand("late", score=0.8, minutes=3), cand("early", score=0.8)]).submission_id
        == "early"
    )


def test_only_a_later_verdict_supersedes_an_earlier_one():
    assert supersedes(cand("a", minutes=2), cand("a", minutes=1))
    assert not supersedes(cand("a", minutes=1), cand("a", minutes=2))
    assert supersedes(cand("a"), None)


def test_a_slot_already_showing_the_best_candidate_needs_no_new_choice():
    current = next_choice(None, [cand("a", score=0.6)])
    assert current == SlotChoice("a", BlobRef("k/a", "e"), 1)
    assert next_choice(current, [cand("a", score=0.6), cand("b", score=0.3)]) is None


def test_a_new_choice_is_the_next_revision_and_falls_back_to_the_original():
    current = SlotChoice("a", BlobRef("k/a", "e"), 4)
    assert next_choice(current, [cand("a", "rejected", minutes=1)]) == SlotChoice("", None, 5)
