"""A HIT type's ``QualificationRequirements``: refused as MTurk refuses them, met or not.

botocore's model (checked first, :mod:`sims.mturk.shapes`) already holds each requirement
to its shape: ``QualificationTypeId`` and ``Comparator`` required, ``Comparator`` one of
the ten, ``ActionsGuarded`` one of ``Accept``/``PreviewAndAccept``/
``DiscoverPreviewAndAccept``, ``RequiredToPreview`` (deprecated, still in the model) a
boolean, a locale's ``Country`` two letters. What the model leaves to the service, and
the API reference states (botocore's ``QualificationRequirement`` documentation):

- ``IntegerValues`` only for integer types, ``LocaleValues`` only for Worker_Locale;
- ``Exists``/``DoesNotExist`` take no value, ``In``/``NotIn`` one or more (at most 15
  integers, 30 locales), every other comparator exactly one;
- a locale is compared only with ``EqualTo``, ``NotEqualTo``, ``In``, ``NotIn`` (or
  ``Exists``/``DoesNotExist``);
- the qualification type must exist (the local MTurk knows the three system types of
  :mod:`sims.mturk.qualifications`; it has no ``CreateQualificationType``).

Every ``ActionsGuarded`` includes Accept, so a worker works a HIT only when it meets every
requirement of the HIT's type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sims.mturk.errors import ParameterValidationError, TurkError
from sims.mturk.qualifications import KNOWN_TYPES, LOCALE, Standing

Json = dict[str, object]
NO_VALUE = ("Exists", "DoesNotExist")
SET_COMPARATORS = ("In", "NotIn")
LOCALE_COMPARATORS = ("EqualTo", "NotEqualTo", *SET_COMPARATORS, *NO_VALUE)
MAX_SET = {"IntegerValue": 15, "LocaleValue": 30}
ORDERS: dict[str, Callable[[int, int], bool]] = {
    "LessThan": lambda have, want: have < want,
    "LessThanOrEqualTo": lambda have, want: have <= want,
    "GreaterThan": lambda have, want: have > want,
    "GreaterThanOrEqualTo": lambda have, want: have >= want,
}


@dataclass(frozen=True)
class Requirement:
    """One requirement, as the model's shape already allows it."""

    type_id: str
    comparator: str
    integers: tuple[int, ...]
    locales: tuple[tuple[str, str | None], ...]

    @property
    def is_locale(self) -> bool:
        return self.type_id == LOCALE


def locale_of(value: object) -> tuple[str, str | None]:
    """A ``Locale`` structure as (Country, Subdivision or None)."""
    fields = value if isinstance(value, dict) else {}
    subdivision = fields.get("Subdivision")
    return str(fields.get("Country", "")), subdivision if isinstance(subdivision, str) else None


def requirement_of(fields: Json) -> Requirement:
    integers = fields.get("IntegerValues") or []
    locales = fields.get("LocaleValues") or []
    return Requirement(
        str(fields.get("QualificationTypeId", "")),
        str(fields.get("Comparator", "")),
        tuple(int(v) for v in integers if isinstance(v, int)) if isinstance(integers, list) else (),
        tuple(locale_of(v) for v in locales) if isinstance(locales, list) else (),
    )


def requirements_of(listed: object) -> list[Requirement]:
    """The requirements of a ``QualificationRequirements`` member (absent: none)."""
    items = listed if isinstance(listed, list) else []
    return [requirement_of(item) for item in items if isinstance(item, dict)]


def shown(requirement: Requirement, parameter: str) -> str:
    """The values of ``parameter`` as MTurk quotes them, comma-separated ("US,CA")."""
    if parameter == "LocaleValue":
        return ",".join(country for country, _ in requirement.locales)
    return ",".join(str(value) for value in requirement.integers)


def must_be_null(requirement: Requirement, parameter: str) -> ParameterValidationError:
    # MTurk's wording, double full stop included, as boto/boto3#2402 and
    # aws/aws-sdk-js#3116 quote it (several locales with EqualTo; a locale on a type
    # that takes none): 'The value "US,CA" is not valid for the parameter LocaleValue.
    # LocaleValue must be null when used with the EqualTo comparator..'
    return ParameterValidationError(
        f'The value "{shown(requirement, parameter)}" is not valid for the parameter '
        f"{parameter}. {parameter} must be null when used with the "
        f"{requirement.comparator} comparator.."
    )


def must_not_be_null(requirement: Requirement, parameter: str) -> ParameterValidationError:
    # No published example of this refusal: worded after the one above.
    return ParameterValidationError(
        f"The parameter {parameter} must not be null when used with the "
        f"{requirement.comparator} comparator.."
    )


def check_values(requirement: Requirement) -> None:
    """Refuse values the type or the comparator does not take."""
    parameter, other = ("LocaleValue", "IntegerValue")
    if not requirement.is_locale:
        parameter, other = other, parameter
    if shown(requirement, other):
        raise must_be_null(requirement, other)
    count = len(requirement.locales if requirement.is_locale else requirement.integers)
    comparator = requirement.comparator
    if requirement.is_locale and comparator not in LOCALE_COMPARATORS:
        # The API reference's rule; no published example of MTurk's wording for it.
        raise ParameterValidationError(
            "LocaleValue can only be used with the EqualTo, NotEqualTo, In and NotIn "
            f"comparators, not {comparator}."
        )
    if comparator in NO_VALUE and count:
        raise must_be_null(requirement, parameter)
    if comparator not in NO_VALUE and not count:
        raise must_not_be_null(requirement, parameter)
    if comparator not in SET_COMPARATORS and count > 1:
        raise must_be_null(requirement, parameter)
    if count > MAX_SET[parameter]:
        # The API reference's limit; its refusal is not quoted anywhere we found.
        raise ParameterValidationError(
            f"At most {MAX_SET[parameter]} {parameter} elements can be used with the "
            f"{comparator} comparator."
        )


def check(listed: object) -> None:
    """Refuse requirements MTurk refuses: values first, then the type's existence (a
    locale on an unknown type is refused for its value, boto/boto3#2402)."""
    requirements = requirements_of(listed)
    for requirement in requirements:
        check_values(requirement)
    for requirement in requirements:
        if requirement.type_id not in KNOWN_TYPES:
            # The message as MTurk answered it for an unknown type id
            # (human-nature-lab/breadboard#204: "QualificationType [2ARF…] does not
            # exist."); the code as the legacy SDKs list it.
            raise TurkError(
                "AWS.MechanicalTurk.QualificationTypeDoesNotExist",
                f"QualificationType [{requirement.type_id}] does not exist.",
            )


def meets_locale(requirement: Requirement, country: str) -> bool:
    """Is the worker's country among (or, negated, outside) the requirement's locales?
    A locale naming a subdivision is met by nobody here: no worker has one."""
    inside = any(wanted == country and not sub for wanted, sub in requirement.locales)
    return not inside if requirement.comparator in ("NotEqualTo", "NotIn") else inside


def meets_one(requirement: Requirement, standing: Standing) -> bool:
    comparator = requirement.comparator
    if comparator in NO_VALUE:
        # Every worker holds every system qualification.
        return comparator == "Exists"
    if requirement.is_locale:
        return meets_locale(requirement, standing.country)
    have = standing.integer(requirement.type_id)
    if comparator in ORDERS:
        return ORDERS[comparator](have, requirement.integers[0])
    inside = have in requirement.integers
    return not inside if comparator in ("NotEqualTo", "NotIn") else inside


def meets(listed: object, standing: Standing) -> bool:
    """Does a worker with ``standing`` meet every requirement (already checked)?"""
    return all(meets_one(requirement, standing) for requirement in requirements_of(listed))
