"""The publishing wing: a rendered clip on S3 as versioned MP4 and HLS (``hls`` writes the
playlists), on a Blip-compatible endpoint, and on Vimeo; each publisher implements the
core's :class:`~services.renderer.renders.ports.ClipPublisher`."""
