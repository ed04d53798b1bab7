"""The Mechanical Turk wing: an adapter of the core's ``Crowd`` port over the requester
API (HIT types, HITs, answers, pay, top-ups) and its notifications consumer."""
