"""What a capture leaves on disk: WARC records and writer, the folder's files, provenance."""
