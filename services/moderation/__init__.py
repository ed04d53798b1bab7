"""moderation: photos to verdicts with a crowd. A shell (``app``, ``deps``, ``settings``,
``jobs``) around wings: ``reviews`` (the core, over one ``Crowd`` port),
``crowd.crowdflower`` and ``crowd.mturk`` (the port's adapters), ``slots`` (the feeder)
and ``reports``. See docs/moderation.md."""
