"""``python -m sims.crowd``: run the local crowd under uvicorn."""

from sims.crowd.app import create_app
from sims.crowd.settings import CrowdSettings
from sims.serving import serve

if __name__ == "__main__":
    settings = CrowdSettings()
    serve(
        "crowd",
        lambda: create_app(settings),
        settings.host,
        settings.port,
        settings.log_level,
        settings.api_key,
        "CROWD_API_KEY must be set: requests and webhooks are checked against it",
    )
