"""The benchmarks: one script per benchmark (run as `.venv/bin/python bench/<name>.py`), and
the helpers they share. A package so that scripts and gunicorn import them as bench.<module>
from the repository's root, never with bench/ on the path (bench/reports.py would hide the
reports app)."""
