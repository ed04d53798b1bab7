"""The Crowdflower wing: an adapter of the core's ``Crowd`` port over the v1 API (jobs,
test questions, units, orders), its webhook and its payloads."""
