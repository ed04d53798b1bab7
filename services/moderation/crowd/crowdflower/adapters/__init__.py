"""The Crowdflower wing's adapter: the v1 HTTP API over httpx (:mod:`.api`)."""
