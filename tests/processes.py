"""The product's own processes, started by a test or a benchmark beside it: `manage.py worker`
as the Procfile runs it, and the environment of a production-like process."""

import os
import sys


def worker_command(*, worker_id: str | None = None) -> list[str]:
    """`manage.py worker` as production runs it (every queue, no reloader), polling every
    0.2 s from the start and quiet; run it with cwd at the repository's root."""
    command = [sys.executable, "manage.py", "worker", "--queue-name", "*", "--interval", "0.2",
               "--no-startup-delay", "--no-reload"]  # fmt: skip
    if worker_id:
        command += ["--worker-id", worker_id]
    return [*command, "-v", "0"]


def production_environment(
    *, database_url: str, email_api_url: str, email_token: str, **overrides: str
) -> dict[str, str]:
    """This process's environment with the product set up as production runs it: DEBUG off
    (so its secrets are required: throwaway ones here), no two-factor sign-in, on database_url,
    sending email through anymail's real Postmark backend to the stand-in at email_api_url.
    `overrides` (variable=value) go on top."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "tests-and-benches-only",
        "STRIPE_SECRET_KEY": "sk_test_tests_and_benches",
        "STRIPE_WEBHOOK_SECRET": "whsec_tests_and_benches",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TWO_FACTOR_REQUIRED": "false",
        "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
        "ANYMAIL_POSTMARK_SERVER_TOKEN": email_token,
        "ANYMAIL_POSTMARK_API_URL": email_api_url,
        **overrides,
    }
