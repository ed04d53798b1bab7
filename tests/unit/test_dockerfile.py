"""The Dockerfile's shape, checked on every `make test` (building it is `make image`)."""

import re
from pathlib import Path

import pytest

DOCKERFILE = Path(__file__).resolve().parents[2] / "deploy" / "Dockerfile"


def stages() -> dict[str, str]:
    """Each stage's name (or "final") and its instructions, comments dropped."""
    lines = [
        line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")
    ]
    found: dict[str, str] = {}
    name = None
    for line in lines:
        start = re.match(r"^FROM \S+(?: AS (\S+))?$", line)
        if start:
            name = start.group(1) or "final"
            found[name] = ""
        elif name is not None:
            found[name] += line + "\n"
    return found


@pytest.fixture(scope="module")
def parts() -> dict[str, str]:
    return stages()


def test_pillow_simd_is_compiled_in_the_builder_against_the_image_libraries(parts):
    builder = parts["builder"]
    assert "--no-binary pillow-simd" in builder
    assert "-c requirements.lock" in builder
    for headers in ("build-essential", "libjpeg-dev", "zlib1g-dev", "libwebp-dev"):
        assert headers in builder


def test_the_runtime_stage_has_no_compiler_and_checks_pillow_simd(parts):
    app = parts["app"]
    assert "build-essential" not in app
    assert "-dev" not in app
    assert "COPY --from=builder /opt/venv /opt/venv" in app
    assert "python -m shared.pillow_check" in app


def test_the_runtime_runs_as_a_non_root_user_with_a_healthcheck(parts):
    app = parts["app"]
    user = re.findall(r"^USER (\S+)$", app, re.M)
    assert user and user[-1] not in ("root", "0")
    assert "HEALTHCHECK" in app


def test_the_default_target_is_the_application_image(parts):
    assert list(parts)[-1] == "final"
    assert re.search(r"^FROM app$", DOCKERFILE.read_text(), re.M)
