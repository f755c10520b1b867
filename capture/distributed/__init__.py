"""Distributed runs: Celery workers on many machines, Redis as broker and result store.

`capture worker` (tasks.py, worker.py) captures; `capture run --broker` (submit.py) plans,
sends one task per URL, watches, and writes the run folder from the shared archive root.
Celery is imported only when a distributed command runs.
"""
