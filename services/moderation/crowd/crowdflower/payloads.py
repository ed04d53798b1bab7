"""The crowd's JSON, read into domain words: units and their judgments (no I/O).

Crowdflower v1 sent a ``unit_complete`` webhook ``payload`` either as a unit object or
as a list holding one unit; both shapes were seen in the wild, so both are accepted.
A ``new_judgments`` payload is an array of judgments from many units, each carrying its
``unit_id`` and ``unit_data``: it is grouped by unit, and judgments of test questions
(``golden``) are left out. Answers arrive as strings (``"yes"``, ``"4"``) from the CML
form; anything else is a malformed payload. A judgment answering ``photo_loads: no``
(the photo did not load for the worker) needs no other answer and never counts; a
judgment without ``photo_loads`` (a job made before the question existed) loads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from services.moderation.reviews.ports import Judged
from services.moderation.reviews.verdicts import MIMIC_LOW, Judgment
from shared.errors import BadRequest

YES_ANSWERS = frozenset({"yes", "true", "1"})


class MalformedPayload(BadRequest):
    """A crowd payload that is not a unit with judgments we can read."""

    default_code = "malformed_payload"


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)


class CrowdAnswers(_Lenient):
    """The CML answers of one judgment (captured v1 payloads also hold an answer as a
    one-element list, as checkbox-style fields do): whether the photo loads, then the
    three questions, required only when it does."""

    photo_loads: str = "yes"
    nudity: str | None = None
    mimic: int | None = Field(default=None, ge=1, le=5)
    trying: str = "yes"

    @property
    def loads(self) -> bool:
        """Did the photo load for the worker?"""
        return self.photo_loads.strip().lower() in YES_ANSWERS

    @model_validator(mode="after")
    def _answers_when_seen(self) -> CrowdAnswers:
        if self.loads and (self.nudity is None or self.mimic is None):
            raise ValueError("a judgment of a photo that loads needs nudity and mimic")
        return self

    @field_validator("photo_loads", "nudity", "mimic", "trying", mode="before")
    @classmethod
    def _one_answer(cls, value: Any) -> Any:
        if isinstance(value, list):
            if len(value) != 1:
                raise ValueError(f"expected one answer, got {len(value)}")
            return value[0]
        return value


class CrowdJudgment(_Lenient):
    """One judgment as the crowd API shows it."""

    id: str
    worker_id: str
    worker_trust: float = Field(ge=0.0, le=1.0)
    data: CrowdAnswers
    unit_id: str | None = None
    golden: bool = False
    unit_data: dict[str, str | None] = Field(default_factory=dict)

    def to_judgment(self) -> Judgment:
        """This judgment in domain words (one of a photo that did not load says nothing
        else: no nudity, the lowest mimic, not counted anyway)."""
        answers = self.data
        if not answers.loads:
            return Judgment(
                self.id, self.worker_id, self.worker_trust, False, MIMIC_LOW, False, loads=False
            )
        return Judgment(
            judgment_id=self.id,
            worker_id=self.worker_id,
            trust=self.worker_trust,
            nudity=(answers.nudity or "").strip().lower() in YES_ANSWERS,
            mimic=answers.mimic or MIMIC_LOW,
            trying=answers.trying.strip().lower() in YES_ANSWERS,
        )


class CrowdResults(_Lenient):
    judgments: list[CrowdJudgment] = Field(default_factory=list)


class CrowdUnit(_Lenient):
    """A unit as the webhook (and ``units/{id}.json``) shows it."""

    id: str
    job_id: str
    state: str = "new"
    data: dict[str, str]
    results: CrowdResults = Field(default_factory=CrowdResults)

    @field_validator("data")
    @classmethod
    def _names_a_submission(cls, data: dict[str, str]) -> dict[str, str]:
        if not data.get("submission_id"):
            raise ValueError("unit data has no submission_id")
        return data

    @property
    def submission_id(self) -> str:
        """The submission this unit asks about."""
        return self.data["submission_id"]

    def judgments(self) -> list[Judgment]:
        """The unit's judgments in domain words."""
        return [j.to_judgment() for j in self.results.judgments]

    def judged(self) -> Judged:
        """The unit's judgments as the moderator receives them."""
        return Judged(self.submission_id, tuple(self.judgments()), via="webhook")


def parse_unit_payload(raw: str) -> CrowdUnit:
    """Parse a webhook ``payload``: a unit object or a one-element list of one."""
    try:
        document: Any = json.loads(raw)
    except ValueError as exc:
        raise MalformedPayload(f"payload is not JSON: {exc}") from exc
    if isinstance(document, list):
        if len(document) != 1:
            raise MalformedPayload(f"payload list holds {len(document)} units, expected 1")
        document = document[0]
    try:
        return CrowdUnit.model_validate(document)
    except ValidationError as exc:
        raise MalformedPayload(f"payload is not a unit: {exc.errors()[0]['msg']}") from exc


def parse_judgments(document: Any) -> list[Judgment]:
    """Parse a ``judgments.json`` answer: a list of judgments."""
    try:
        return [CrowdJudgment.model_validate(item).to_judgment() for item in document]
    except (ValidationError, TypeError) as exc:
        raise MalformedPayload(f"not a list of judgments: {exc}") from exc


@dataclass(frozen=True)
class UnitJudgments:
    """The judgments of one unit found in a ``new_judgments`` payload."""

    unit_id: str
    submission_id: str
    judgments: tuple[Judgment, ...]

    def judged(self) -> Judged:
        """These judgments as the moderator receives them."""
        return Judged(self.submission_id, self.judgments, via="webhook")


def parse_judgments_payload(raw: str) -> list[UnitJudgments]:
    """Parse a ``new_judgments`` payload: an array of judgments, grouped by unit."""
    try:
        document: Any = json.loads(raw)
    except ValueError as exc:
        raise MalformedPayload(f"payload is not JSON: {exc}") from exc
    if not isinstance(document, list):
        raise MalformedPayload("a new_judgments payload is an array of judgments")
    try:
        found = [CrowdJudgment.model_validate(item) for item in document]
    except ValidationError as exc:
        raise MalformedPayload(f"payload holds a bad judgment: {exc.errors()[0]['msg']}") from exc
    groups: dict[str, list[CrowdJudgment]] = {}
    for judgment in found:
        if judgment.unit_id is None:
            raise MalformedPayload(f"judgment {judgment.id} names no unit")
        if not judgment.golden and judgment.unit_data.get("submission_id"):
            groups.setdefault(judgment.unit_id, []).append(judgment)
    return [
        UnitJudgments(
            unit_id=unit_id,
            submission_id=str(items[0].unit_data["submission_id"]),
            judgments=tuple(item.to_judgment() for item in items),
        )
        for unit_id, items in groups.items()
    ]
