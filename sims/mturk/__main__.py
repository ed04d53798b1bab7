"""``python -m sims.mturk``: run the local Mechanical Turk under uvicorn."""

from sims.mturk.app import create_app
from sims.mturk.settings import MTurkSimSettings
from sims.serving import serve

if __name__ == "__main__":
    settings = MTurkSimSettings()
    serve(
        "mturk",
        lambda: create_app(settings),
        settings.host,
        settings.port,
        settings.log_level,
        settings.secret_access_key,
        "MTURK_SIM_SECRET_ACCESS_KEY must be set: every request's signature is checked with it",
    )
