"""The test suite (a package, so `tests.fakes` wins over the `tests` package pywb installs)."""
