"""``python -m sims.crowd``: run the local crowd under uvicorn."""

import sys

import uvicorn

from shared.logs import configure_logging
from sims.crowd.app import create_app
from sims.crowd.settings import CrowdSettings

if __name__ == "__main__":
    settings = CrowdSettings()
    configure_logging("crowd", settings.log_level)
    if not settings.api_key.get_secret_value():
        sys.exit("CROWD_API_KEY must be set: requests and webhooks are checked against it")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )
