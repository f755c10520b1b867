"""Chromium: finding and launching it, the renderer and its page run, recording, screenshots."""
