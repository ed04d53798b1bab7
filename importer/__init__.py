"""The importer: an operator tool that turns a video file into slots (``python -m importer``).

It depends only on ``shared/``; the services read what it writes through the keys and
records of :mod:`shared.records` and the ``frames`` queue.
"""
