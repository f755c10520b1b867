"""Quality checks: a capture's WARC replayed offline and scored against the capture."""
