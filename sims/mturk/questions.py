"""What a worker sees of a HIT and what it sends back (pure, no I/O).

A HIT's ``Question`` must be an ``HTMLQuestion`` document (the local MTurk plays no
``ExternalQuestion``/``QuestionForm``), parsed with defusedxml; malformed XML is refused
as the real service refuses it (``AWS.MechanicalTurk.XMLParseError``). Its
``HTMLContent`` is the page a worker's browser shows: the images (``<img src>``), the
form and its inputs. A worker can only answer a page whose form posts to MTurk's
``externalSubmit`` with an ``assignmentId`` field and has the three questions as
``required`` inputs that can take the worker's answers: ``nudity`` (yes/no),
``mimic`` (1..5) and ``trying`` (yes/no). The form's submit buttons are read too: a
named button sends its value, and one marked ``formnovalidate`` submits without the
required inputs (how a page lets a worker say "the photo does not load"). The answer is
``QuestionFormAnswers`` XML, one ``Answer`` per submitted field (``assignmentId``
excepted), as MTurk records it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from sims.mturk.errors import TurkError

HTML_QUESTION_NS = (
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
)
ANSWERS_NS = (
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/"
    "QuestionFormAnswers.xsd"
)
# The real limit (API reference of CreateHITWithHITType): 64 KB of question XML.
MAX_QUESTION_BYTES = 65_535
SUBMIT_PATH = "/mturk/externalSubmit"
# Each question and the values a worker may answer to it.
QUESTIONS = {
    "nudity": ("yes", "no"),
    "mimic": ("1", "2", "3", "4", "5"),
    "trying": ("yes", "no"),
}
FREE_VALUE = "*"
# What a worker who cannot load the page's images sends, when a button lets them.
LOADS_NO = ("photo_loads", "no")
SUBMIT_KINDS = frozenset({"submit", "image"})


def parse_error(details: str) -> TurkError:
    """The real refusal of question XML that does not parse or validate."""
    return TurkError(
        "AWS.MechanicalTurk.XMLParseError",
        "There was an error parsing the XML question or answer data in your request. "
        "Please make sure the data is well-formed and validates against the appropriate "
        f"schema. Details: {details}",
    )


def html_of(question: str) -> str:
    """The ``HTMLContent`` of an ``HTMLQuestion`` document, or the real parse refusal."""
    if len(question.encode()) > MAX_QUESTION_BYTES:
        raise parse_error(f"the question is larger than {MAX_QUESTION_BYTES} bytes")
    try:
        root = SafeET.fromstring(question)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise parse_error(str(exc)) from None
    if root.tag != f"{{{HTML_QUESTION_NS}}}HTMLQuestion":
        raise parse_error(
            f"the root element {root.tag} is not an HTMLQuestion of {HTML_QUESTION_NS}"
        )
    content = root.find(f"{{{HTML_QUESTION_NS}}}HTMLContent")
    height = root.find(f"{{{HTML_QUESTION_NS}}}FrameHeight")
    if content is None or not (content.text or "").strip():
        raise parse_error("HTMLQuestion needs a non-empty HTMLContent")
    if height is None or not (height.text or "").strip().isdigit():
        raise parse_error("HTMLQuestion needs a FrameHeight in pixels (0 for the whole page)")
    return content.text or ""


@dataclass(frozen=True)
class Button:
    """A submit button of the form: the field it sends (if named), and whether it skips
    the required inputs' checks (``formnovalidate``)."""

    name: str
    value: str
    skips_checks: bool


@dataclass
class Page:
    """A rendered HIT page: its images in page order and its submitting form's fields."""

    images: list[str] = field(default_factory=list)
    submits_to_mturk: bool = False
    # Field name -> the values it can take (FREE_VALUE: anything typed).
    fields: dict[str, set[str]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    hidden: dict[str, str] = field(default_factory=dict)
    buttons: list[Button] = field(default_factory=list)

    def pressed(self) -> dict[str, str]:
        """What the form's first checking submit button sends besides the inputs."""
        button = next((b for b in self.buttons if not b.skips_checks), None)
        return {button.name: button.value} if button is not None and button.name else {}

    def unseen_button(self) -> Button | None:
        """The button that sends "the photo does not load" (``photo_loads=no``, skipping
        the required inputs), if the page has one."""
        return next(
            (b for b in self.buttons if b.skips_checks and (b.name, b.value) == LOADS_NO), None
        )

    def takes(self, name: str, value: str) -> bool:
        """Can the form submit ``value`` for the field ``name``?"""
        offered = self.fields.get(name, set())
        return FREE_VALUE in offered or value in offered


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.in_mturk_form = False
        self.select: str | None = None
        # An <option> without a value attribute submits its text.
        self.option_text = False

    def handle_data(self, data: str) -> None:
        if self.option_text and self.select and data.strip():
            self.page.fields[self.select].add(data.strip())
            self.option_text = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "img" and found.get("src", "").strip():
            self.page.images.append(found["src"].strip())
        elif tag == "form":
            self.in_mturk_form = is_mturk_submit(found)
            self.page.submits_to_mturk |= self.in_mturk_form
        elif self.in_mturk_form:
            self._field(tag, found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_mturk_form = False
        elif tag == "select":
            self.select = None

    def _field(self, tag: str, found: dict[str, str]) -> None:
        name = found.get("name", "")
        kind = found.get("type", "text").lower()
        # A <button> submits unless its type says otherwise.
        button_kind = found.get("type", "submit").lower()
        if (tag == "button" and button_kind == "submit") or (
            tag == "input" and kind in SUBMIT_KINDS
        ):
            skips = "formnovalidate" in found
            self.page.buttons.append(Button(name, found.get("value", ""), skips))
            return
        if tag == "option" and self.select:
            self.option_text = "value" not in found
            self.page.fields[self.select].add(found.get("value", ""))
            return
        if not name or tag not in ("input", "select", "textarea"):
            return
        if "required" in found:
            self.page.required.add(name)
        values = self.page.fields.setdefault(name, set())
        if tag == "select":
            self.select = name
        elif tag == "input" and kind == "hidden":
            self.page.hidden[name] = found.get("value", "")
        elif tag == "input" and kind in ("radio", "checkbox"):
            values.add(found.get("value", "on"))
        elif tag == "textarea" or kind in ("text", "number", "range"):
            values.add(FREE_VALUE)


def is_mturk_submit(form: dict[str, str]) -> bool:
    """Does this ``<form>`` post to MTurk's ``externalSubmit`` (production or sandbox)?"""
    action = urlsplit(form.get("action", ""))
    return form.get("method", "get").lower() == "post" and action.path == SUBMIT_PATH


def page_of(html: str) -> Page:
    """What a worker's browser shows of ``html``."""
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    return reader.page


def why_unworkable(page: Page) -> str | None:
    """Why no worker can do this page, or None when one can."""
    if not page.images:
        return "the page shows no image"
    if not page.submits_to_mturk:
        return f"no form posts to MTurk's {SUBMIT_PATH}"
    if "assignmentId" not in page.fields:
        return "the form has no assignmentId field"
    missing = [name for name in QUESTIONS if name not in page.required]
    if missing:
        return f"the form lacks the required inputs {', '.join(missing)}"
    for name, values in QUESTIONS.items():
        if not all(page.takes(name, value) for value in values):
            return f"the input {name} cannot take each of {', '.join(values)}"
    return None


def answer_xml(page: Page, given: dict[str, str]) -> str:
    """The ``QuestionFormAnswers`` MTurk records for a submission of ``given``."""
    root = ET.Element("QuestionFormAnswers", xmlns=ANSWERS_NS)
    submitted = {**{k: v for k, v in page.hidden.items() if k != "assignmentId"}, **given}
    for name, value in submitted.items():
        answer = ET.SubElement(root, "Answer")
        ET.SubElement(answer, "QuestionIdentifier").text = name
        ET.SubElement(answer, "FreeText").text = value
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="ASCII"?>{body}'
