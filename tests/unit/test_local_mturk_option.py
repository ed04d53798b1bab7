"""`make run` starts the local MTurk only when moderation's crowd is MTurk."""

from tests.unit.test_deploy import DEPLOY, load_devstack


def test_the_local_mturk_is_wanted_only_for_the_mturk_crowd_without_an_endpoint():
    devstack = load_devstack()
    assert not devstack.wants_local_mturk({})
    assert not devstack.wants_local_mturk({"MODERATION_CROWD_PROVIDER": "crowdflower"})
    assert devstack.wants_local_mturk({"MODERATION_CROWD_PROVIDER": "mturk"})
    real = {
        "MODERATION_CROWD_PROVIDER": "mturk",
        "MODERATION_MTURK_ENDPOINT_URL": "https://mturk-requester-sandbox.us-east-1.amazonaws.com",
    }
    assert not devstack.wants_local_mturk(real)


def test_moderation_and_the_local_mturk_share_the_local_credentials_and_sqs():
    env = {
        "AWS_ACCESS_KEY_ID": "key",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:4566",
    }
    shown = load_devstack().mturk_environment(env)
    assert (shown["MTURK_SIM_ACCESS_KEY_ID"], shown["MTURK_SIM_SECRET_ACCESS_KEY"]) == (
        "key",
        "secret",
    )
    assert shown["MTURK_SIM_SQS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert shown["MODERATION_MTURK_ENDPOINT_URL"] == "http://127.0.0.1:8006"


def test_the_procfile_line_of_the_local_mturk_goes_through_devstack():
    procfile = (DEPLOY / "Procfile").read_text().splitlines()
    assert "mturk: exec python deploy/devstack.py mturk" in procfile
