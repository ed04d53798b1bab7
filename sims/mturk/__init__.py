"""The local Mechanical Turk: the requester API subset moderation calls, with simulated workers."""
