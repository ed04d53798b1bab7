"""Local stand-ins for the outside world the services talk to (not part of a deployment)."""
