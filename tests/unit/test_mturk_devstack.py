"""`make run CROWD=mturk`: the local stack starts the local MTurk and wires moderation to it."""

from services.moderation.settings import DEFAULT_QUALIFICATIONS, ModerationSettings
from shared.settings import AwsSettings
from sims.mturk.settings import MTurkSimSettings
from tests.unit.test_deploy import DEPLOY, load_devstack


def env_names(settings_class) -> set[str]:
    prefix = settings_class.model_config.get("env_prefix", "")
    return {f"{prefix}{name}".upper() for name in settings_class.model_fields}


def test_the_local_mturk_runs_only_for_the_mturk_provider_without_a_real_endpoint():
    devstack = load_devstack()
    assert not devstack.wants_local_mturk({})
    assert devstack.wants_local_mturk({"MODERATION_CROWD_PROVIDER": "mturk"})
    real = {"MODERATION_CROWD_PROVIDER": "mturk", "MODERATION_MTURK_ENDPOINT_URL": "https://x"}
    assert not devstack.wants_local_mturk(real)
    procfile = (DEPLOY / "Procfile").read_text().splitlines()
    assert "mturk: exec python deploy/devstack.py mturk" in procfile
    makefile = (DEPLOY.parent / "Makefile").read_text()
    assert "run: export MODERATION_CROWD_PROVIDER := $(CROWD)" in makefile


def test_moderation_and_the_local_mturk_share_keys_and_moderation_keeps_its_qualifications(
    monkeypatch,
):
    env = load_devstack().mturk_environment()
    known = env_names(ModerationSettings) | env_names(MTurkSimSettings) | {"OFOF_LOCAL_MTURK"}
    assert set(env) <= known
    assert (env["MTURK_SIM_ACCESS_KEY_ID"], env["MTURK_SIM_SECRET_ACCESS_KEY"]) == (
        "testing",
        "testing",
    )
    assert env["MODERATION_MTURK_SUBMIT_URL"].endswith("/mturk/externalSubmit")
    assert env["MODERATION_MTURK_SUBMIT_URL"].startswith(env["MODERATION_MTURK_ENDPOINT_URL"])
    # The local MTurk enforces qualification requirements: moderation sends its defaults.
    assert "MODERATION_MTURK_QUALIFICATIONS" not in env
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MODERATION_MTURK_QUALIFICATIONS", raising=False)
    assert ModerationSettings().mturk_qualifications == list(DEFAULT_QUALIFICATIONS)
    assert AwsSettings().mturk_queue == "ofof-mturk"
