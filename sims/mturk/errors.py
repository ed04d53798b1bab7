"""The errors the local MTurk answers with, in the shapes of the real requester API.

The real service answers an application error as HTTP 400 (``RequestError``) or 500
(``ServiceFault``) with ``{"__type", "Message", "TurkErrorCode"}``; its messages end in
the request's time in milliseconds, e.g. ``Hit 3X… does not exist. (1619128282649)``.
Signature and parameter problems come from AWS's front end instead:
``{"__type": "InvalidSignatureException", "message": …}`` and the like.
"""

from __future__ import annotations

import time

Json = dict[str, object]


def stamped(message: str) -> str:
    """``message`` with the real service's trailing request time, in milliseconds."""
    return f"{message} ({int(time.time() * 1000)})"


class AwsError(Exception):
    """An error answered before the operation runs (signature, protocol, parameters)."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message

    def body(self) -> Json:
        """The JSON error body botocore parses (``__type`` becomes the error code)."""
        return {"__type": self.kind, "message": self.message}


class TurkError(AwsError):
    """An error of the operation itself: ``RequestError`` (400) or ``ServiceFault`` (500)."""

    def __init__(self, turk_code: str, message: str, fault: bool = False) -> None:
        kind = "ServiceFault" if fault else "RequestError"
        super().__init__(500 if fault else 400, kind, stamped(message))
        self.turk_code = turk_code

    def body(self) -> Json:
        return {"__type": self.kind, "Message": self.message, "TurkErrorCode": self.turk_code}


def does_not_exist(kind: str, entity_id: str, code: str) -> TurkError:
    """The real ``<Kind> <id> does not exist.`` refusal."""
    return TurkError(f"AWS.MechanicalTurk.{code}", f"{kind} {entity_id} does not exist.")


def wrong_status(allowed: str) -> TurkError:
    """The real refusal of an operation on an entity in the wrong state."""
    return TurkError(
        "AWS.MechanicalTurk.InvalidAssignmentState",
        f"This operation can be called with a status of: {allowed}",
    )


def invalid_parameter(message: str) -> TurkError:
    """A value the service checks itself (not the API's model constraints)."""
    return TurkError("AWS.MechanicalTurk.InvalidParameterValue", message)


class ParameterValidationError(AwsError):
    """MTurk's own refusal of a parameter value that fits the model but not the service,
    e.g. a qualification requirement's values that its comparator does not take (the
    ``__type`` boto/boto3#2402 and aws/aws-sdk-js#3116 show)."""

    def __init__(self, message: str) -> None:
        super().__init__(400, "ParameterValidationError", stamped(message))

    def body(self) -> Json:
        return {"__type": self.kind, "Message": self.message}
