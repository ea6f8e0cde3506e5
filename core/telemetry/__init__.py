"""What the running service tells its operators: one log line per request with a request id
(request_log.py), and errors to Sentry with donors' personal data scrubbed (sentry.py)."""
