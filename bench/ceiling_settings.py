"""Settings for bench/webhooks.py's server only: the product's settings with one URL more, the
ceiling view of bench/ceiling_urls.py. Nothing in the product names this module; the bench
starts gunicorn from the repository's root with DJANGO_SETTINGS_MODULE=bench.ceiling_settings,
and it refuses to load unless BENCH_CEILING=1."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403 - the product's settings, unchanged

if os.environ.get("BENCH_CEILING") != "1":
    raise ImproperlyConfigured("ceiling_settings is for bench/webhooks.py only (BENCH_CEILING=1)")

ROOT_URLCONF = "bench.ceiling_urls"
