"""Unit tests: no browser, no network, milliseconds each."""
