"""Is the service well? Worker heartbeats, the checks /healthz answers with, and the view."""
