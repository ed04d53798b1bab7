"""The publishers, named technology + role: S3 (versions and a pointer swap), Blip, Vimeo."""
