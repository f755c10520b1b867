"""When a page is ready: its network quiet, its timers run, scrolled through, watched."""
