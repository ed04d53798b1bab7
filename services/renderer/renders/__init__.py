"""The renderer's core wing: verdicts into slots, each slot's best photo, renders on a
schedule, and the words (clip inputs, rendered clips) its ports speak.

Pure rules in noun modules (``slots``, ``scheduling``, ``clips``, ``reports``,
``ladder``), the use cases over ``ports``, the ``render`` queue's consumer and the HTTP
routes. The ``encoding`` and ``publishing`` wings implement its ports and import it;
it imports neither.
"""
