"""Config files: strict pydantic models of the YAML, validated once, at the edge."""

from __future__ import annotations

from capture.config.job import CaptureSettings, Job, load_job, parse_viewport
from capture.config.loader import StrictModel, format_path, load, read_yaml, validate

__all__ = [
    "CaptureSettings",
    "Job",
    "StrictModel",
    "format_path",
    "load",
    "load_job",
    "parse_viewport",
    "read_yaml",
    "validate",
]
