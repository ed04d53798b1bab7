"""Requests checked against botocore's own model of the API; records shown in its shapes.

Every request body is held to the operation's input shape from botocore's
``mturk/2017-01-17/service-2.json``: required members, types, lengths, ranges, patterns
and enums, refused as AWS's front end refuses them (``ValidationException`` with the
``1 validation error detected: …`` wording, ``SerializationException`` for a wrong
type). Answers use the output shapes' member names; timestamps are epoch seconds, as
the JSON protocol carries them.
"""

from __future__ import annotations

import re
from functools import cache

import botocore.session
from botocore.model import ListShape, OperationModel, ServiceModel, Shape, StructureShape

from sims.mturk.errors import AwsError
from sims.mturk.hits import Assignment, Hit, Json

TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "structure": (dict,),
    "list": (list,),
    "timestamp": (int, float, str),
}


@cache
def service_model() -> ServiceModel:
    """The mturk model botocore itself ships."""
    return botocore.session.get_session().get_service_model("mturk")


def operation(name: str) -> OperationModel | None:
    """The operation's model, or None for a name the API does not have."""
    model = service_model()
    return model.operation_model(name) if name in model.operation_names else None


def _at(path: str, name: str) -> str:
    """Where a member sits, as AWS names it: ``notification.eventTypes``."""
    camel = name[:1].lower() + name[1:]
    return f"{path}.{camel}" if path else camel


def _constraint(value: object, shape: Shape) -> str | None:
    meta = shape.metadata
    if isinstance(value, str):
        if "min" in meta and len(value) < meta["min"]:
            return f"Member must have length greater than or equal to {meta['min']}"
        if "max" in meta and len(value) > meta["max"]:
            return f"Member must have length less than or equal to {meta['max']}"
        if "pattern" in meta and not re.search(meta["pattern"], value):
            return f"Member must satisfy regular expression pattern: {meta['pattern']}"
        if meta.get("enum") and value not in meta["enum"]:
            return f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]"
    elif isinstance(value, int) and not isinstance(value, bool):
        if "min" in meta and value < meta["min"]:
            return f"Member must have value greater than or equal to {meta['min']}"
        if "max" in meta and value > meta["max"]:
            return f"Member must have value less than or equal to {meta['max']}"
    return None


def _problems(value: object, shape: Shape, path: str) -> list[str]:
    if not isinstance(value, TYPES.get(shape.type_name, (object,))) or (
        shape.type_name in ("integer", "long") and isinstance(value, bool)
    ):
        raise AwsError(400, "SerializationException", f"Unexpected value type at '{path}'")
    found = _constraint(value, shape)
    problems = (
        [f"Value '{value}' at '{path}' failed to satisfy constraint: {found}"] if found else []
    )
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(
                    f"Value null at '{_at(path, name)}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        for name, member in shape.members.items():
            if value.get(name) is not None:
                problems += _problems(value[name], member, _at(path, name))
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value, 1):
            problems += _problems(item, shape.member, f"{path}.{index}.member")
    return problems


def validate(model: OperationModel, body: Json) -> None:
    """Refuse ``body`` as AWS does unless it fits the operation's input shape."""
    shape = model.input_shape
    if shape is None:
        return
    problems = _problems(body, shape, "")
    if problems:
        count = len(problems)
        raise AwsError(
            400,
            "ValidationException",
            f"{count} validation error{'s' if count > 1 else ''} detected: {'; '.join(problems)}",
        )


def hit_json(hit: Hit, now: float) -> Json:
    """A HIT as ``GetHIT`` shows it."""
    fields = hit.hit_type.fields
    shown: Json = {
        "HITId": hit.hit_id,
        "HITTypeId": hit.hit_type.type_id,
        "HITGroupId": hit.hit_type.type_id,
        "CreationTime": hit.creation_time,
        "Title": fields["Title"],
        "Description": fields["Description"],
        "Question": hit.question,
        "HITStatus": hit.status,
        "MaxAssignments": hit.max_assignments,
        "Reward": fields["Reward"],
        "AutoApprovalDelayInSeconds": hit.hit_type.seconds("AutoApprovalDelayInSeconds", 2592000),
        "Expiration": hit.expiration,
        "AssignmentDurationInSeconds": fields["AssignmentDurationInSeconds"],
        "QualificationRequirements": fields.get("QualificationRequirements", []),
        "HITReviewStatus": "NotReviewed",
        "NumberOfAssignmentsPending": 0,
        "NumberOfAssignmentsAvailable": hit.max_assignments - len(hit.assignments)
        if hit.is_open(now)
        else 0,
        "NumberOfAssignmentsCompleted": sum(a.status != "Submitted" for a in hit.assignments),
    }
    if "Keywords" in fields:
        shown["Keywords"] = fields["Keywords"]
    if hit.annotation is not None:
        shown["RequesterAnnotation"] = hit.annotation
    return shown


def assignment_json(assignment: Assignment) -> Json:
    """An assignment as ``GetAssignment`` shows it."""
    shown: Json = {
        "AssignmentId": assignment.assignment_id,
        "WorkerId": assignment.worker_id,
        "HITId": assignment.hit_id,
        "AssignmentStatus": assignment.status,
        "AutoApprovalTime": assignment.auto_approval_time,
        "AcceptTime": assignment.accept_time,
        "SubmitTime": assignment.submit_time,
        "Deadline": assignment.deadline,
        "Answer": assignment.answer,
    }
    optional = {
        "ApprovalTime": assignment.approval_time,
        "RejectionTime": assignment.rejection_time,
        "RequesterFeedback": assignment.feedback,
    }
    return shown | {name: value for name, value in optional.items() if value is not None}
