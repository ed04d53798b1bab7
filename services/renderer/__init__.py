"""renderer: slots to clip: best photo per slot, segments, publishing."""
