"""ingest: safe decode of uploaded photos, three renditions, storage in S3."""
