"""A local stand-in for the Vimeo API 3.4 subset the renderer's Vimeo publisher calls."""
