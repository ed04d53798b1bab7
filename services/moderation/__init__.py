"""moderation: the crowd bridge: units, judgments, verdicts."""
