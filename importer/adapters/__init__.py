"""The importer's adapters: the video file (PyAV) and the progress display (rich)."""
