"""Fixtures shared by every test layer: a real moto server, the embedded local AWS of
`make run` (ministack + dynalite), and per-test AWS names."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from deploy.localaws import LocalAws
from shared.aws import AwsClients, open_aws_clients
from shared.bootstrap import bootstrap
from shared.settings import AwsSettings
from tests.processes import local_aws_servers, moto_server

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests leave logs and screenshots for a person to look at."""
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture(scope="session")
def moto_endpoint(output_dir: Path) -> Iterator[str]:
    """One real moto server (over HTTP) for the whole session."""
    with moto_server(output_dir / "moto-session.log") as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def local_aws_endpoint(
    output_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalAws]:
    """The embedded local AWS of `make run` for the whole session (ministack for S3 and
    SQS, dynalite for DynamoDB): where each listens."""
    with local_aws_servers(tmp_path_factory.mktemp("localaws"), output_dir) as servers:
        yield servers.local


def local_aws_endpoints(local: LocalAws) -> dict[str, str]:
    """Settings fields that point each client at its server of the local AWS."""
    return {
        "aws_endpoint_url_s3": local.ministack_url,
        "aws_endpoint_url_sqs": local.ministack_url,
        "aws_endpoint_url_dynamodb": local.dynalite_url,
    }


def local_aws_settings_for(local: LocalAws) -> dict[str, object]:
    """Like :func:`aws_settings_for`, on the local AWS of `make run`."""
    fields = aws_settings_for("") | local_aws_endpoints(local)
    del fields["aws_endpoint_url"]
    return fields


# The AWS stand-ins a test marked `every_aws` runs against: the moto server (every
# test's default) and the embedded local AWS that `make run` ships.
AWS_BACKENDS = ["moto", "localaws"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test marked `every_aws` once per AWS stand-in."""
    if "aws_backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "every_aws"
    ):
        metafunc.parametrize("aws_backend", AWS_BACKENDS, indirect=True)


@pytest.fixture
def aws_backend(request: pytest.FixtureRequest) -> str:
    """The AWS stand-in of this test: the moto server unless marked `every_aws`."""
    return str(getattr(request, "param", "moto"))


def aws_settings_for(endpoint: str) -> dict[str, object]:
    """Settings fields that point at ``endpoint`` with names unique to one test."""
    suffix = uuid.uuid4().hex[:8]
    return {
        "aws_endpoint_url": endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "aws_region": "us-east-1",
        "media_bucket": f"ofof-media-{suffix}",
        "frames_queue": f"ofof-frames-{suffix}",
        "moderation_queue": f"ofof-moderation-{suffix}",
        "render_queue": f"ofof-render-{suffix}",
        "segments_queue": f"ofof-segments-{suffix}",
        "reviews_table": f"ofof-reviews-{suffix}",
        "slots_table": f"ofof-slots-{suffix}",
        "aws_read_timeout_seconds": 10.0,
    }


@pytest.fixture
def aws_fields(aws_backend: str, request: pytest.FixtureRequest) -> dict[str, object]:
    """Fields for any settings class: this test's own bucket, queues and tables."""
    if aws_backend == "moto":
        return aws_settings_for(request.getfixturevalue("moto_endpoint"))
    return local_aws_settings_for(request.getfixturevalue("local_aws_endpoint"))


@pytest.fixture
async def unreachable_aws() -> AsyncIterator[AwsClients]:
    """Clients aimed at a closed loopback port, trying once: AWS is down."""
    settings = AwsSettings(
        aws_endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_max_attempts=1,
        aws_connect_timeout_seconds=0.5,
    )
    async with AsyncExitStack() as stack:
        yield await open_aws_clients(settings, stack)


@pytest.fixture
async def aws(aws_fields: dict[str, object]) -> AsyncIterator[AwsClients]:
    """Open clients to the session's moto server, with this test's resources created."""
    settings = AwsSettings(**aws_fields)  # type: ignore[arg-type]
    async with AsyncExitStack() as stack:
        clients = await open_aws_clients(settings, stack)
        await bootstrap(clients, settings)
        yield clients


@pytest.fixture
def stack_factory(aws_fields, output_dir):
    """Start real service processes against this test's resources: ``start(names, **env)``."""
    from contextlib import ExitStack

    from tests.stack import service_stack

    with ExitStack() as exits:

        def start(names: list[str], **env: str):
            return exits.enter_context(service_stack(names, aws_fields, output_dir, **env))

        yield start
