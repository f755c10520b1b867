"""Captures end to end: one capture's pipeline, the runner, the run folder, report and WACZ."""
