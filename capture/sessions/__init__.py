"""Logged-in captures: sessions, logging in, and keeping every secret out of the outputs."""
