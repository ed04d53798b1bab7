"""Mechanical Turk work in domain words (pure, no I/O): the question, the answers, the
cost and the pay.

- **The question** is an ``HTMLQuestion``: the visitor's photo and the original frame
  side by side and three required inputs (``nudity`` yes/no, ``mimic`` 1..5, ``trying``
  yes/no) in a form that posts to MTurk's ``externalSubmit`` with the ``assignmentId``
  MTurk puts in the page's query string. Its submit button sends ``photo_loads=yes``; a
  second, "The photo does not load", sends ``photo_loads=no`` skipping the three
  (``formnovalidate``: required only when the photo loads, no script needed). URLs are
  HTML-escaped into the page, and the page goes into the XML inside a CDATA section
  (split where the page itself holds ``]]>``).
- **The answers** arrive as ``QuestionFormAnswers`` XML, parsed with ``defusedxml`` (no
  entity expansion, no external entities): anything that is not one answer per input
  with an allowed value is :class:`MalformedAnswer`, recorded on the review, never
  counted. ``photo_loads=no`` needs no other answer and never counts; no ``photo_loads``
  (a HIT made before the button) loads.
- **The cost** of a HIT is reward × assignments plus MTurk's commission: a share of the
  reward (20 %), another share more (20 %) for HITs of 10 assignments or more, and at
  least a minimum fee per assignment (1 cent).
- **More work** for a HIT that can give no more judgments (expired, or every
  assignment in) and still lacks a quorum: its unworked assignments come back with a new
  life, and the judgments still needed beyond them are added, up to a cap that never
  takes a HIT of fewer than 10 assignments to 10 (MTurk refuses it: the fee changes
  there) and never past its photo URLs' lifetime.
- **The pay**: an assignment agreeing with the verdict is approved (or every valid one,
  by setting); one that fails the attention check (answers that contradict each other:
  a perfect mimic nobody tried) is rejected, with feedback; others (and honest "does
  not load" answers) are left to MTurk's auto-approval, which pays them after its delay.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from services.moderation.reviews.verdicts import (
    MIMIC_HIGH,
    MIMIC_LOW,
    Judgment,
    VerdictRules,
    reasons_against,
)

HTML_QUESTION_SCHEMA = (
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
)
# Frame height of the question inside MTurk's worker page, in pixels.
FRAME_HEIGHT_PIXELS = 900
YES_NO = frozenset({"yes", "no"})
MIMIC_VALUES = frozenset({"1", "2", "3", "4", "5"})
ANSWER_FIELDS = ("nudity", "mimic", "trying")
LOADS_FIELD = "photo_loads"
CENT = Decimal("0.01")
REJECT_FEEDBACK = (
    "Your answers contradict each other: a photo rated a perfect mimic (5) was also "
    "answered as nobody trying to mimic the frame."
)

Payment = Literal["approve", "reject", "leave"]

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>One Frame Of Fame</title></head>
<body>
<p>A visitor re-created one frame of a music video in a photo. Compare the photo (left)
with the original frame (right) and answer the three questions.</p>
<div style="display:flex;gap:12px">
<figure><img src="{photo}" alt="The visitor's photo" width="360">
<figcaption>The visitor's photo</figcaption></figure>
<figure><img src="{original}" alt="The original frame" width="360">
<figcaption>The original frame of the music video</figcaption></figure>
</div>
<form name="mturk_form" method="post" id="mturk_form" action="{submit}">
<input type="hidden" name="assignmentId" id="assignmentId" value="">
<p>Does the photo contain nudity?
<label><input type="radio" name="nudity" value="yes" required> Yes</label>
<label><input type="radio" name="nudity" value="no"> No</label></p>
<p>How well does the person mimic the original frame (1 nothing alike, 5 the same)?
<label><input type="radio" name="mimic" value="1" required> 1</label>
<label><input type="radio" name="mimic" value="2"> 2</label>
<label><input type="radio" name="mimic" value="3"> 3</label>
<label><input type="radio" name="mimic" value="4"> 4</label>
<label><input type="radio" name="mimic" value="5"> 5</label></p>
<p>Is someone visibly trying to mimic the frame?
<label><input type="radio" name="trying" value="yes" required> Yes</label>
<label><input type="radio" name="trying" value="no"> No</label></p>
<p><button type="submit" id="submitButton" name="photo_loads" value="yes">Submit</button>
<button type="submit" id="unseenButton" name="photo_loads" value="no" formnovalidate>The
photo does not load</button> (a broken image: never rate what you cannot see)</p>
</form>
<script>
document.getElementById("assignmentId").value =
  new URLSearchParams(window.location.search).get("assignmentId") || "";
</script>
</body></html>"""


class MalformedAnswer(ValueError):
    """An assignment's ``Answer`` that is not the three inputs with allowed values."""


@dataclass(frozen=True)
class Answers:
    """One worker's three answers (meaningless when the photo did not load for them)."""

    nudity: bool
    mimic: int
    trying: bool
    loads: bool = True


UNSEEN = Answers(nudity=False, mimic=MIMIC_LOW, trying=False, loads=False)


def question_xml(photo_url: str, original_url: str, submit_url: str) -> str:
    """The ``HTMLQuestion`` showing ``photo_url`` beside ``original_url``."""
    page = PAGE.format(
        photo=html.escape(photo_url, quote=True),
        original=html.escape(original_url, quote=True),
        submit=html.escape(submit_url, quote=True),
    )
    # "]]>" inside the page would end the CDATA section: split it across two sections.
    cdata = page.replace("]]>", "]]]]><![CDATA[>")
    return (
        f'<HTMLQuestion xmlns="{HTML_QUESTION_SCHEMA}">'
        f"<HTMLContent><![CDATA[{cdata}]]></HTMLContent>"
        f"<FrameHeight>{FRAME_HEIGHT_PIXELS}</FrameHeight></HTMLQuestion>"
    )


def _local(element: Element) -> str:
    """A tag without its namespace."""
    return element.tag.rsplit("}", 1)[-1]


def _child_text(element: Element, name: str) -> str | None:
    for child in element:
        if _local(child) == name:
            return (child.text or "").strip()
    return None


def answer_fields(answer_xml: str) -> dict[str, str]:
    """QuestionIdentifier → FreeText of a ``QuestionFormAnswers`` document."""
    try:
        root = fromstring(answer_xml)
    except (ParseError, DefusedXmlException) as exc:
        raise MalformedAnswer(f"not readable XML: {exc}") from exc
    if _local(root) != "QuestionFormAnswers":
        raise MalformedAnswer(f"root is {_local(root)}, not QuestionFormAnswers")
    found: dict[str, str] = {}
    for answer in root:
        name = _child_text(answer, "QuestionIdentifier")
        text = _child_text(answer, "FreeText")
        if name is None or text is None:
            raise MalformedAnswer("an Answer without QuestionIdentifier or FreeText")
        if name in found:
            raise MalformedAnswer(f"{name} answered twice")
        found[name] = text
    return found


def parse_answers(answer_xml: str) -> Answers:
    """The three answers of an assignment (or :data:`UNSEEN` when the photo did not
    load for the worker); :class:`MalformedAnswer` otherwise."""
    found = answer_fields(answer_xml)
    loads = found.get(LOADS_FIELD, "yes").lower()
    if loads not in YES_NO:
        raise MalformedAnswer(f"{LOADS_FIELD} is {loads!r}, not yes or no")
    if loads == "no":
        return UNSEEN
    missing = [name for name in ANSWER_FIELDS if name not in found]
    if missing:
        raise MalformedAnswer(f"missing {', '.join(missing)}")
    nudity, mimic, trying = (found[name].lower() for name in ANSWER_FIELDS)
    if nudity not in YES_NO or trying not in YES_NO or mimic not in MIMIC_VALUES:
        raise MalformedAnswer(f"values out of range: {nudity!r}, {mimic!r}, {trying!r}")
    return Answers(nudity=nudity == "yes", mimic=int(mimic), trying=trying == "yes")


@dataclass(frozen=True)
class Fees:
    """MTurk's commission: ``rate`` of the reward, ``big_hit_extra_rate`` more for HITs of
    ``big_hit_assignments`` or more, at least ``minimum`` (USD) an assignment."""

    rate: Decimal = Decimal("0.20")
    big_hit_extra_rate: Decimal = Decimal("0.20")
    big_hit_assignments: int = 10
    minimum: Decimal = CENT


def hit_cost(reward: Decimal, assignments: int, fees: Fees) -> Decimal:
    """What a HIT of ``assignments`` at ``reward`` (USD) each costs, in USD (cents)."""
    rate = fees.rate
    if assignments >= fees.big_hit_assignments:
        rate += fees.big_hit_extra_rate
    fee = max(reward * rate, fees.minimum)
    return ((reward + fee) * assignments).quantize(CENT, rounding=ROUND_HALF_UP)


def is_attention_failure(answers: Answers) -> bool:
    """Do the answers contradict each other (a perfect mimic that nobody tried)?"""
    return answers.mimic == MIMIC_HIGH and not answers.trying


def agrees(judgment: Judgment, approved: bool, rules: VerdictRules) -> bool:
    """Would this one judgment, alone, have reached the same verdict?"""
    return (not reasons_against([judgment], rules)) == approved


def payment_for(
    judgment: Judgment, answers: Answers, approved: bool, rules: VerdictRules, approve_all: bool
) -> Payment:
    """What to do with one valid assignment once the verdict is known (an honest "does
    not load" is left to auto-approval: it says nothing about the photo)."""
    if not answers.loads:
        return "leave"
    if is_attention_failure(answers):
        return "reject"
    if approve_all or agrees(judgment, approved, rules):
        return "approve"
    return "leave"


# A worker never seen starts as if 8 of 10 judgments agreed: above the default 0.7
# minimum so new workers count, and two disagreements early on drop them below it.
PRIOR_AGREED, PRIOR_JUDGED = 8, 10


def worker_trust(agreed: int, judged: int) -> float:
    """A worker's trust (0..1) from how often they agreed with the verdict."""
    return round((agreed + PRIOR_AGREED) / (judged + PRIOR_JUDGED), 4)


# A new life shorter than this share of a HIT's lifetime is not worth giving.
MIN_LIFE_SHARE = 0.25


@dataclass(frozen=True)
class HitState:
    """What MTurk says of a HIT's capacity: assignments it offers in all, taken and not
    yet submitted (``pending``), not yet taken (``available``), and when it expires.
    ``answered`` (submitted, approved or rejected) is counted from its assignments."""

    hit_id: str
    max_assignments: int
    pending: int
    available: int
    expires_at: datetime
    answered: int = 0


@dataclass(frozen=True)
class TopUpRules:
    """How far a HIT short of quorum is topped up (from the settings)."""

    # Assignments a HIT may reach in all.
    max_assignments: int = 9
    # MTurk's fee changes here; a HIT below it may not be extended to it.
    big_hit_assignments: int = 10
    # The new life of an expired HIT.
    lifetime_seconds: int = 3 * 24 * 3600


def can_give_more(state: HitState, now: datetime) -> bool:
    """May the HIT still bring judgments: an assignment taken and not yet submitted, or
    one not yet taken before the HIT expires?"""
    return state.pending > 0 or (state.available > 0 and now < state.expires_at)


def assignments_allowed(current: int, rules: TopUpRules) -> int:
    """How many assignments a HIT of ``current`` may still gain."""
    cap = rules.max_assignments
    if current < rules.big_hit_assignments:
        cap = min(cap, rules.big_hit_assignments - 1)
    return max(0, cap - current)


def assignments_to_add(needed: int, state: HitState) -> int:
    """Assignments to add for ``needed`` more judgments: the HIT's unworked ones (an
    expiry left them untaken, or their workers returned them) come back with a new life."""
    unworked = max(0, state.max_assignments - state.answered - state.pending)
    return max(0, needed - unworked)


def new_expiry(
    now: datetime, hit_created: datetime, rules: TopUpRules, photo_url_seconds: int
) -> datetime | None:
    """The end of an expired HIT's new life: a lifetime, but not past its photo URLs'
    death (``photo_url_seconds`` after the HIT's creation); None when what is left is
    too short to be worth it."""
    end = min(
        now + timedelta(seconds=rules.lifetime_seconds),
        hit_created + timedelta(seconds=photo_url_seconds),
    )
    shortest = timedelta(seconds=rules.lifetime_seconds * MIN_LIFE_SHARE)
    return end if end - now >= shortest else None
