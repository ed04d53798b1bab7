"""What a worker sees: the job's CML rendered with one unit's data (pure, no I/O).

On the real platform a unit's columns reach the worker only through Liquid tags in the
job's CML (``<img src="{{photo_url}}">``); a column the CML does not mention is never
shown. The local crowd renders the CML the same way (python-liquid) and reads from the
result only what a worker's browser would show: the images (``<img src>``) and the
questions (``<cml:… name=…>``, required when ``validates`` says so, shown only when an
earlier answer allows it when ``only-if`` says so: ``only-if="photo_loads:[yes]"``, CML's
logic by answer value). A CML that does not parse shows nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

import liquid
from liquid.exceptions import LiquidError

QUESTION_TAGS = frozenset({"cml:radios", "cml:ratings", "cml:checkboxes", "cml:select", "cml:text"})


@dataclass(frozen=True)
class Question:
    """One question of the form."""

    name: str
    required: bool
    # CML's ``only-if``: ``"field:[value]"`` (shown only when ``field`` was answered
    # ``value``; several values comma-separated), or a bare ``"field"`` (answered at all).
    only_if: str | None = None

    def is_shown(self, given: dict[str, str]) -> bool:
        """Is the question shown to a worker who gave the answers ``given`` so far?"""
        if not self.only_if:
            return True
        field, _, values = self.only_if.partition(":")
        if field.strip() not in given:
            return False
        allowed = {v.strip() for v in values.strip().strip("[]").split(",") if v.strip()}
        return not allowed or given[field.strip()] in allowed


@dataclass(frozen=True)
class Form:
    """The rendered form of one unit: the image URLs in page order, and the questions."""

    images: tuple[str, ...]
    questions: tuple[Question, ...]

    def asks(self, name: str) -> bool:
        """Does the form ask the question ``name``?"""
        return any(question.name == name for question in self.questions)


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[str] = []
        self.questions: list[Question] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "img" and found.get("src", "").strip():
            self.images.append(found["src"].strip())
        elif tag in QUESTION_TAGS and found.get("name"):
            required = "required" in found.get("validates", "")
            only_if = found.get("only-if") or None
            self.questions.append(Question(found["name"], required, only_if))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def render(cml: str, data: dict[str, str]) -> str:
    """The CML with the unit's columns filled in; empty when the template is broken."""
    try:
        return liquid.parse(cml).render(**data)
    except LiquidError:
        return ""


def form_of(cml: str, data: dict[str, str]) -> Form:
    """What a worker sees of the unit ``data`` under the job's ``cml``."""
    reader = _FormReader()
    reader.feed(render(cml, data))
    reader.close()
    return Form(images=tuple(reader.images), questions=tuple(reader.questions))
