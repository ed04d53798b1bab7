"""Which AWS the importer goes to: the environment's, the local stack's file, or real AWS."""

import os

import pytest

from importer.target import (
    Target,
    UnsafeStackFile,
    choose,
    describe,
    remove_stack_file,
    shown,
    write_stack_file,
)
from tests.unit.test_deploy import load_devstack

SECRET = "do-not-print-me"
STACK = {
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:4566",
    "AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:4566",
    "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:4567",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": SECRET,
    "AWS_REGION": "us-east-1",
    "OFOF_MEDIA_BUCKET": "local-media",
}


@pytest.fixture
def clean_env(monkeypatch):
    """No AWS_* variable and no media bucket set, as in a fresh terminal."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "OFOF_", "IMPORTER_")):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def stack_file(tmp_path):
    return tmp_path / "var" / "local-aws.env"


def test_without_variables_or_a_stack_file_the_importer_goes_to_real_aws_and_says_why(
    clean_env, stack_file
):
    target = choose(os.environ, stack_file)
    settings = target.settings()
    assert target == Target()
    assert settings.aws_endpoint_url_s3 is None and settings.aws_endpoint_url is None
    said = describe(target, settings)
    assert said.startswith("real AWS (bucket ofof-media, region us-east-1;")
    assert "no AWS_* variable chooses one and no var/local-aws.env" in said


def test_without_variables_the_stack_file_of_make_run_is_used_and_named(clean_env, stack_file):
    write_stack_file(STACK, stack_file)
    target = choose(os.environ, stack_file)
    settings = target.settings()
    assert target == Target(stack_file=stack_file)
    assert settings.aws_endpoint_url_s3 == "http://127.0.0.1:4566"
    assert settings.aws_endpoint_url_dynamodb == "http://127.0.0.1:4567"
    assert settings.aws_secret_access_key.get_secret_value() == SECRET
    assert settings.media_bucket == "local-media"
    said = describe(target, settings)
    assert said.startswith("the local stack of make run (S3 at http://127.0.0.1:4566,")
    assert str(stack_file) in said
    assert SECRET not in said and "testing" not in said


@pytest.mark.parametrize(
    "name",
    ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "aws_role_arn"],
)
def test_a_variable_that_chooses_an_aws_leaves_the_stack_file_unused_whole(
    clean_env, stack_file, name
):
    write_stack_file(STACK, stack_file)
    value = "http://127.0.0.1:9999" if name == "AWS_ENDPOINT_URL" else "chosen"
    clean_env.setenv(name, value)
    target = choose(os.environ, stack_file)
    settings = target.settings()
    assert target == Target(ignored_file=stack_file)
    assert settings.aws_endpoint_url_s3 is None
    assert settings.media_bucket == "ofof-media"
    if name != "AWS_ENDPOINT_URL":
        assert settings.aws_secret_access_key is None  # the file's keys are not taken
        said = describe(target, settings)
        assert f"AWS_* variables choose it, so {stack_file} is not used" in said


def test_region_and_transport_variables_choose_no_aws_and_the_files_region_wins(
    clean_env, stack_file
):
    write_stack_file(STACK, stack_file)
    clean_env.setenv("AWS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    clean_env.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    clean_env.setenv("AWS_REGION", "eu-west-1")
    target = choose(os.environ, stack_file)
    settings = target.settings()
    assert target == Target(stack_file=stack_file)
    assert (settings.aws_region, settings.aws_endpoint_url_s3) == (
        "us-east-1",
        "http://127.0.0.1:4566",
    )


def test_endpoint_variables_are_named_as_the_aws_the_importer_writes_to(clean_env, stack_file):
    clean_env.setenv("AWS_ENDPOINT_URL_S3", "http://user:pw@127.0.0.1:5000")
    target = choose(os.environ, stack_file)
    said = describe(target, target.settings())
    assert said.startswith("the AWS at http://127.0.0.1:5000 (bucket ofof-media")
    assert "pw" not in said


def test_an_ofof_variable_wins_over_the_stack_files_value(clean_env, stack_file):
    write_stack_file(STACK, stack_file)
    clean_env.setenv("OFOF_MEDIA_BUCKET", "chosen")
    settings = choose(os.environ, stack_file).settings()
    assert settings.media_bucket == "chosen"
    assert settings.aws_endpoint_url_s3 == "http://127.0.0.1:4566"


def test_a_stack_file_others_may_write_is_refused(clean_env, stack_file):
    write_stack_file(STACK, stack_file)
    stack_file.chmod(0o622)
    with pytest.raises(UnsafeStackFile, match="not this user's alone"):
        choose(os.environ, stack_file)


def test_a_stack_file_pointing_off_this_machine_is_refused(clean_env, stack_file):
    write_stack_file(STACK | {"AWS_ENDPOINT_URL_S3": "https://evil.example"}, stack_file)
    with pytest.raises(UnsafeStackFile, match="AWS_ENDPOINT_URL_S3 off this machine"):
        choose(os.environ, stack_file)


def test_a_stack_file_without_its_own_keys_is_refused(clean_env, stack_file):
    # Else boto would sign the local stack's requests with the user's real keys.
    without_keys = {k: v for k, v in STACK.items() if "KEY" not in k}
    write_stack_file(without_keys, stack_file)
    with pytest.raises(UnsafeStackFile, match="lacks AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"):
        choose(os.environ, stack_file)


def test_the_stack_file_is_private_and_removed_only_while_it_is_still_ours(stack_file):
    text = write_stack_file(STACK, stack_file)
    assert stack_file.stat().st_mode & 0o777 == 0o600
    later = write_stack_file(STACK | {"AWS_REGION": "eu-west-1"}, stack_file)
    remove_stack_file(text, stack_file)
    assert stack_file.read_text() == later
    remove_stack_file(later, stack_file)
    assert not stack_file.exists()
    remove_stack_file(later, stack_file)


def test_shown_urls_keep_host_and_port_and_drop_passwords():
    assert shown("http://127.0.0.1:4566") == "http://127.0.0.1:4566"
    assert shown("https://me:secret@s3.example:8443/x") == "https://s3.example:8443/x"


def test_make_run_leaves_its_own_local_aws_for_the_importer_but_never_other_keys(monkeypatch):
    devstack = load_devstack()
    local = devstack.localaws.LocalAws.from_env()
    for name, value in local.endpoints().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    left = devstack.importer_environment()
    assert left == local.endpoints() | {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "OFOF_MEDIA_BUCKET": os.environ.get("OFOF_MEDIA_BUCKET", "ofof-media"),
    }
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "a-real-key")
    assert devstack.importer_environment() is None
