"""ingest's adapters: the media bucket, the two queues and the image process pool."""
