"""Which AWS an import goes to: the one the environment names, or the local stack of
``make run``.

``make run`` (``deploy/devstack.py``) leaves where its local AWS listens in the
checkout's ``var/local-aws.env`` (dotenv lines, mode 0600, removed when the stack stops):
the S3, SQS and DynamoDB endpoints on loopback, the region, the media bucket and the
local AWS's dummy keys, never a real secret. So the README's import command, typed in a
second terminal, imports into the running stack. The precedence:

1. a variable that says which AWS or who signs (an ``AWS_ENDPOINT_URL*``, the keys,
   ``AWS_PROFILE``, a role or credentials file: :func:`names_an_aws`) means the operator
   has chosen: the environment alone decides and the file is ignored whole, so a local
   endpoint is never mixed with real credentials. Settings such as ``AWS_REGION`` or
   ``AWS_CA_BUNDLE``, often exported for every shell, choose nothing;
2. else the file, when it is there: its ``AWS_*`` values whole (its region too), under
   any ``OFOF_*``/``IMPORTER_*`` variable that is set. It is refused (an error, nothing
   stored) unless this user owns it, nobody else may write it, every endpoint in it is
   on loopback and it carries its own keys, so a planted file cannot send the frames,
   or sign with the user's keys, elsewhere;
3. else real AWS, through boto's usual chain (``~/.aws``, a role).

Every run says which one it uses (:func:`describe`); keys are never shown.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from importer.settings import ImporterSettings

# In the checkout beside this package, wherever the command is typed from.
STACK_FILE = Path(__file__).resolve().parent.parent / "var" / "local-aws.env"
# The local AWS listens on loopback only; an endpoint elsewhere is not make run's.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# Its own keys too: else boto would sign the local stack's requests with the user's.
NEEDED = ("AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
# Besides the endpoints: the variables by which botocore picks an identity.
CHOOSING = frozenset(
    {
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONFIG_FILE",
    }
)


class UnsafeStackFile(Exception):
    """The local stack's file is there but may not be trusted; nothing was stored."""


@dataclass(frozen=True)
class Target:
    """Where one run's AWS settings come from."""

    # The local stack's file in use, or None when the environment decides.
    stack_file: Path | None = None
    # The file was there, but a variable chose the AWS (names_an_aws): left unused.
    ignored_file: Path | None = None

    def settings(self) -> ImporterSettings:
        """The importer's settings: with a stack file, its ``AWS_*`` values whole and the
        environment over its other values; else the environment alone."""
        if self.stack_file is None:
            return ImporterSettings(_env_file=None)
        values = read_stack_file(self.stack_file)
        # Field values by their AWS_* names (init arguments win over every other source).
        aws: dict[str, Any] = {n: v for n, v in values.items() if n.startswith("AWS_") and v}
        return ImporterSettings(_env_file=self.stack_file, **aws)


def choose(environ: Mapping[str, str] = os.environ, path: Path = STACK_FILE) -> Target:
    """The target the precedence of the module doc picks; raises :class:`UnsafeStackFile`."""
    if not path.is_file():
        return Target()
    if any(names_an_aws(name) for name in environ):
        return Target(ignored_file=path)
    check_stack_file(path)
    return Target(stack_file=path)


def names_an_aws(variable: str) -> bool:
    """True for a variable that says which AWS to reach or with whose credentials."""
    name = variable.upper()
    return name in CHOOSING or name.startswith(("AWS_ENDPOINT_URL", "AWS_CONTAINER_CRED"))


def check_stack_file(path: Path) -> None:
    """Raise :class:`UnsafeStackFile` unless ``path`` is safe to follow (module doc)."""
    status = path.stat()
    if status.st_uid != os.getuid() or status.st_mode & 0o022:
        raise UnsafeStackFile(f"{path} is not this user's alone; remove it, or set AWS_*")
    values = read_stack_file(path)
    missing = [name for name in NEEDED if not values.get(name)]
    if missing:
        raise UnsafeStackFile(f"{path} lacks {', '.join(missing)}; remove it, or set AWS_*")
    away = [
        name
        for name, value in values.items()
        if name.startswith("AWS_ENDPOINT_URL") and urlsplit(value).hostname not in LOOPBACK
    ]
    if away:
        raise UnsafeStackFile(f"{path} points {', '.join(away)} off this machine; remove it")


def describe(target: Target, settings: ImporterSettings) -> str:
    """Which AWS ``settings`` reach and why, for the operator (no keys, no passwords)."""
    endpoint = settings.aws_endpoint_url_s3 or settings.aws_endpoint_url
    where = f"bucket {settings.media_bucket}, region {settings.aws_region}"
    if target.stack_file is not None:
        return (
            f"the local stack of make run (S3 at {shown(endpoint)}, {where}; "
            f"from {target.stack_file})"
        )
    if endpoint:
        return f"the AWS at {shown(endpoint)} ({where}; from the AWS_* variables)"
    return f"real AWS ({where}; credentials from {credentials_source(settings)}){why(target)}"


def credentials_source(settings: ImporterSettings) -> str:
    """Where boto finds the keys, by name only."""
    if settings.aws_access_key_id is not None:
        return "AWS_ACCESS_KEY_ID"
    profile = os.environ.get("AWS_PROFILE")
    return f"profile {profile}" if profile else "boto's usual chain: ~/.aws, a role"


def why(target: Target) -> str:
    """Why real AWS, when the operator may have meant the local stack."""
    if target.ignored_file is not None:
        return f"; AWS_* variables choose it, so {target.ignored_file} is not used"
    return "; no AWS_* variable chooses one and no var/local-aws.env (make run leaves it)"


def shown(url: str | None) -> str:
    """``url`` without any user or password in it."""
    parts = urlsplit(url or "")
    if parts.username is None and parts.password is None:
        return url or ""
    host = parts.hostname or ""
    return parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host).geturl()


def write_stack_file(values: Mapping[str, str], path: Path = STACK_FILE) -> str:
    """Leave ``values`` for the importer, readable by this user only; return the text."""
    text = "# make run's local AWS, for the importer (importer/target.py); removed on stop.\n"
    text += "".join(f"{name}={value}\n" for name, value in values.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_suffix(".tmp")
    fresh.unlink(missing_ok=True)
    with os.fdopen(os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(text)
    fresh.replace(path)
    return text


def read_stack_file(path: Path = STACK_FILE) -> dict[str, str]:
    """The file's ``NAME=value`` lines, as :func:`write_stack_file` writes them."""
    pairs = (line.partition("=") for line in path.read_text().splitlines())
    return {name: value for name, sep, value in pairs if sep and not name.startswith("#")}


def remove_stack_file(text: str, path: Path = STACK_FILE) -> None:
    """Remove the file written as ``text``, unless a later ``make run`` has replaced it."""
    try:
        if path.read_text() == text:
            path.unlink()
    except FileNotFoundError:
        pass
