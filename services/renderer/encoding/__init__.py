"""The encoding wing: rendered clips from clip inputs, segment by segment.

Segment planning and identity (``segments``), fMP4 boxes (``mp4boxes``), one segment's
PyAV/x264 encoding (``encoder``), the orders a render sends to encoder workers
(``fanout``) and the worker's side (``usecases``, ``consumers``). Its adapters implement
the core's :class:`~services.renderer.renders.ports.ClipEncoder` and its own ports.
"""
