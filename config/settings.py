"""One settings module; production behaviour comes from environment variables (see .env.example)."""

import os
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_rate, env_secret, env_str
from config.logs import logging_config
from config.storage import storages

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DEBUG", True)

# With DEBUG off there is no default: a production site must set its own key.
SECRET_KEY = env_secret("SECRET_KEY", "insecure-local-development-key", debug=DEBUG)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "crm",
    "donations",
    "mailings",
    "reports",
]

MIDDLEWARE = [
    # /healthz answers first: before the host check and the HTTPS redirect (core.health).
    "core.health.middleware.HealthCheckMiddleware",
    # One log line per request, with the request id (core.telemetry).
    "core.telemetry.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # django-csp: the Content-Security-Policy header (the donate page adds the captcha
    # provider to its own response when it shows the widget).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.sign_in.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A worker writes beside the web process: wait for locks rather than failing at once,
    # and take the write lock at BEGIN so two writers never deadlock on an upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The covering indexes' extra columns are for PostgreSQL; SQLite builds the index without
    # them, which is all a laptop needs, so its warning at every command is only noise.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    # Tests use a file too: an in-memory database shares one cache between threads and
    # answers a concurrent write with 'table is locked' instead of waiting, unlike production.
    # One file per test run (process id), so two runs in one checkout cannot collide.
    DATABASES["default"]["TEST"] = {
        "NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg binds values on the server and prepares a statement the second time a
    # connection runs it, so the webhook's hot statements are planned once per connection.
    # Measured on bench/webhooks.py: about 10-25% more events/s and a lower p95.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
# Where the organisation mails from: an address with no country is here, and letters that stay
# here print no country line (crm.addresses).
ORGANISATION_COUNTRY = env_str("ORGANISATION_COUNTRY", "US").strip().upper()
USE_I18N = True
FORMAT_MODULE_PATH = ["config.formats"]
# The project's own translations (Spanish): compiled .mo files are kept in the repository.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Files: under MEDIA_ROOT, or in a private S3-compatible bucket when STORAGE_BUCKET is set,
# handed out as links signed for STORAGE_SIGNED_URL_SECONDS (config/storage.py).
STORAGE_BUCKET = env_str("STORAGE_BUCKET", "")
STORAGE_SIGNED_URL_SECONDS = env_int("STORAGE_SIGNED_URL_SECONDS", 120)
STORAGES = storages(
    bucket=STORAGE_BUCKET, signed_url_seconds=STORAGE_SIGNED_URL_SECONDS, debug=DEBUG
)

LOGIN_URL = "admin:login"

# Sign-in protection (core/sign_in.py). django-axes refuses sign-in for a username at one
# address after SIGN_IN_FAILURE_LIMIT failures, and for the whole address (many usernames
# tried) after SIGN_IN_ADDRESS_FAILURE_LIMIT, until SIGN_IN_COOLOFF_MINUTES pass.
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out sign-in is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGN_IN_COOLOFF_MINUTES", 30))
# Order matters to core.sign_in.SignInAttempts: username+address first, then address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "core.sign_in.SignInAttempts"
AXES_LOCKOUT_CALLABLE = "core.sign_in.locked_out"
# Behind a proxy every request comes from the proxy's address: count the proxies that append
# to X-Forwarded-For (1 for one nginx/Caddy), so each client is locked out on its own.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "core.sign_in.client_ip"
AXES_VERBOSE = False  # no banner on every manage.py command
# Two-factor sign-in (django-otp, authenticator apps): staff and board members without an
# app are sent to set one up before any page. Off by default on a laptop (DEBUG on).
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", not DEBUG)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Donor CRM")
# The admin lists people's apps (to delete a lost one) but never shows their secret keys.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Email: files under var/mail/ unless an ESP is configured through anymail.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Development team <giving@example.org>")
# The mailto: half of List-Unsubscribe on appeal emails; the sender's address by default.
UNSUBSCRIBE_MAILTO = env_str("UNSUBSCRIBE_MAILTO", parseaddr(DEFAULT_FROM_EMAIL)[1])
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_")
}

# anymail reads numbers and switches from these; the environment gives strings.
for _key in ("REQUESTS_TIMEOUT",):
    if _key in ANYMAIL:
        ANYMAIL[_key] = float(ANYMAIL[_key])
for _key in ("POSTMARK_USE_BULK_API", "IGNORE_RECIPIENT_STATUS", "DEBUG_API_REQUESTS"):
    if _key in ANYMAIL:
        ANYMAIL[_key] = env_bool("ANYMAIL_" + _key, False)

# The outbox (core.outbox): every email is a row first, sent by `outbox_drain` tasks.
# A worker claims OUTBOX_CHUNK messages at a time and keeps OUTBOX_IN_FLIGHT requests going;
# a chunk must finish well within OUTBOX_LEASE_SECONDS (chunk / in-flight x timeout), after
# which a message still 'sending' is taken to belong to a stopped worker and checked.
# A worker waits on the ESP's answers, not the CPU: bench/mailing.py against a 30 ms ESP, 1 and
# 2 workers, chunk/in-flight 48/16: 196 and 362 messages/s; 96/32: 345 and 555-609/s; 128/64:
# 426 and 630/s (2 workers then use both cores).
OUTBOX_CHUNK = env_int("OUTBOX_CHUNK", 96)
OUTBOX_IN_FLIGHT = env_int("OUTBOX_IN_FLIGHT", 32)
OUTBOX_TIMEOUT_SECONDS = env_int("OUTBOX_TIMEOUT_SECONDS", 10)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 120)
# An unknown outcome is checked with the ESP after this long (time for it to list the message).
OUTBOX_CHECK_AFTER_SECONDS = env_int("OUTBOX_CHECK_AFTER_SECONDS", 60)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 30)
# Messages per second per worker (0: as fast as the ESP answers).
OUTBOX_RATE_PER_SECOND = env_int("OUTBOX_RATE_PER_SECOND", 0)
# Sending tasks queued for a large mailing, so several workers share it.
OUTBOX_PARALLEL_TASKS = env_int("OUTBOX_PARALLEL_TASKS", 4)

# The thank-you queue (donations.acknowledgements): a gift waiting longer than this is flagged
# overdue and listed first; a gift of at least this many dollars is a large gift (flagged, and
# the thank-you rule 'A large gift' applies).
THANKS_OVERDUE_HOURS = env_int("THANKS_OVERDUE_HOURS", 48)
THANKS_LARGE_GIFT = env_int("THANKS_LARGE_GIFT", 1000)
# Processes a background print run (a mailing's Print button) lays letters out with; 0: one
# per core.
PRINT_RUN_WORKERS = env_int("PRINT_RUN_WORKERS", 0)
# A print run that reported no progress for this long is taken to have lost its worker.
PRINT_RUN_STALE_MINUTES = env_int("PRINT_RUN_STALE_MINUTES", 10)

# Stripe: with DEBUG on and no secret key the site runs a clearly labelled local test checkout.
# With DEBUG off both secrets are required, and the local checkout cannot exist: it is decided
# here, when the settings are read, because test runners switch DEBUG off at run time.
STRIPE_SECRET_KEY = env_secret("STRIPE_SECRET_KEY", "", debug=DEBUG)
STRIPE_WEBHOOK_SECRET = env_secret("STRIPE_WEBHOOK_SECRET", "whsec_local_test_mode", debug=DEBUG)
STRIPE_LOCAL_CHECKOUT_ALLOWED = DEBUG
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "")
# The largest online gift or plan recorded without a person looking, in the currency's main
# unit (dollars); a Stripe event above it is kept on its inbox row as needing attention.
STRIPE_MAX_GIFT_AMOUNT = env_int("STRIPE_MAX_GIFT_AMOUNT", 1_000_000)
# The worker processes each stored Stripe event; a failed attempt is retried after 1, 2, 4...
# times this many seconds (at most an hour apart), and after this many attempts the event is
# flagged as needing attention (about three hours of retries with the defaults).
STRIPE_EVENT_RETRY_SECONDS = env_int("STRIPE_EVENT_RETRY_SECONDS", 30)
STRIPE_EVENT_ATTEMPTS = env_int("STRIPE_EVENT_ATTEMPTS", 10)

# The journal export (manage.py export_journal; Xero's manual-journal CSV): account codes from
# the organisation's chart of accounts. Xero posts no manual journal to a bank account, so
# deposits land in clearing accounts that the bank feed's deposit is matched against.
JOURNAL_ACCOUNT_DONATIONS = env_str("JOURNAL_ACCOUNT_DONATIONS", "") or "4000"
JOURNAL_ACCOUNT_FEES = env_str("JOURNAL_ACCOUNT_FEES", "") or "6050"
JOURNAL_ACCOUNT_STRIPE_CLEARING = env_str("JOURNAL_ACCOUNT_STRIPE_CLEARING", "") or "1210"
JOURNAL_ACCOUNT_CHEQUE_CLEARING = env_str("JOURNAL_ACCOUNT_CHEQUE_CLEARING", "") or "1200"
JOURNAL_ACCOUNT_SUSPENSE = env_str("JOURNAL_ACCOUNT_SUSPENSE", "") or "9999"
JOURNAL_TAX_RATE = env_str("JOURNAL_TAX_RATE", "") or "Tax Exempt"

TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# /healthz fails when a due task has waited longer than this, or no worker (`manage.py worker`)
# has beaten for longer than this; the staff home warns at the same silence.
HEALTH_TASK_WAIT_LIMIT_SECONDS = env_int("HEALTH_TASK_WAIT_LIMIT_SECONDS", 600)
HEALTH_WORKER_SILENCE_LIMIT_SECONDS = env_int("HEALTH_WORKER_SILENCE_LIMIT_SECONDS", 600)

# The cache holds the checkout rate-limit counters. Redis when CACHE_URL is set (production:
# atomic counts shared by every worker); otherwise a table in the database (created by migrate),
# so a laptop needs no other service.
# REDIS_URL is the name Heroku, Render and Fly give their Redis; CACHE_URL wins when both are set.
CACHE_URL = env_str("CACHE_URL", "") or env_str("REDIS_URL", "")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL.")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        # A Redis that hangs must not hold the donate page: counting fails open after 2 s.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    if CACHE_URL
    else {"BACKEND": "core.cache.DatabaseCache", "LOCATION": "django_cache"}
}

# Card testing: how many checkout sessions /donate/ starts per client IP address, per donor
# email and in total (django-ratelimit rates, counted in the cache; 'off' turns one off). Past
# a limit the donor gets a friendly 429 page, or the captcha below when one is configured.
CHECKOUT_RATE_PER_IP = env_rate("CHECKOUT_RATE_PER_IP", "10/10m")
CHECKOUT_RATE_PER_EMAIL = env_rate("CHECKOUT_RATE_PER_EMAIL", "5/h")
CHECKOUT_RATE_TOTAL = env_rate("CHECKOUT_RATE_TOTAL", "100/10m")
# The donor account (/account/): sign-in links asked for per email address and per client
# address (the same rates and cache as above), and how long a donor's session may sit idle.
ACCOUNT_LINK_RATE_PER_EMAIL = env_rate("ACCOUNT_LINK_RATE_PER_EMAIL", "3/15m")
ACCOUNT_LINK_RATE_PER_IP = env_rate("ACCOUNT_LINK_RATE_PER_IP", "20/h")
ACCOUNT_IDLE_MINUTES = env_int("ACCOUNT_IDLE_MINUTES", 30)
# The client's address is read as for sign-ins (TRUSTED_PROXY_COUNT above).
# A count the cache cannot give lets the gift through rather than refusing every donor.
RATELIMIT_FAIL_OPEN = True

# Captcha past a checkout limit: Cloudflare Turnstile or hCaptcha, verified on the server.
CAPTCHA_PROVIDER = env_str("CAPTCHA_PROVIDER", "").strip().lower()
CAPTCHA_SITE_KEY = env_str("CAPTCHA_SITE_KEY", "")
CAPTCHA_SECRET_KEY = env_str("CAPTCHA_SECRET_KEY", "")
CAPTCHA_VERIFY_URL = env_str("CAPTCHA_VERIFY_URL", "")  # the provider's own when empty
if CAPTCHA_PROVIDER not in ("", "turnstile", "hcaptcha"):
    raise ImproperlyConfigured("CAPTCHA_PROVIDER must be turnstile, hcaptcha or empty.")
if CAPTCHA_PROVIDER and not (CAPTCHA_SITE_KEY and CAPTCHA_SECRET_KEY):
    raise ImproperlyConfigured("CAPTCHA_PROVIDER needs CAPTCHA_SITE_KEY and CAPTCHA_SECRET_KEY.")

# Content-Security-Policy (django-csp) on every page but the staff admin: scripts and styles
# only from this site or inline with the per-response nonce (request.csp_nonce); forms post
# here or to Stripe's Checkout (Chrome applies form-action to the redirect after a post too).
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF, "https://checkout.stripe.com"],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": not DEBUG,
    },
}

# Production hardening, on whenever DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Imports: the whole file is one transaction; the admin runs a dry run first.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Imports (crm.importing.files, crm.importing.jobs): the largest upload taken, and the most data
# (a CSV's text, an XLSX's unpacked sheet) checked while the page waits; a larger file is
# checked and imported by the background worker with a progress bar.
IMPORT_MAX_FILE_MB = env_int("IMPORT_MAX_FILE_MB", 10)
IMPORT_INLINE_MAX_KB = env_int("IMPORT_INLINE_MAX_KB", 256)
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
# Exporting takes people's personal data away in a file: a permission of its own
# (<app>.export_<model>, declared in each exportable model's Meta), which the staff role holds
# and the read-only board role does not.
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

# Logs: one line per request with its request id, on standard output; LOG_FORMAT text (for
# people) or json (for a log service) (config/logs.py).
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env_str("LOG_LEVEL", "INFO"))

# Errors to Sentry (or a self-hosted GlitchTip) when SENTRY_DSN is set, donors' personal data
# scrubbed first (core.telemetry.sentry).
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    from core.telemetry.sentry import sentry_start

    sentry_start(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        release=env_str("SENTRY_RELEASE", ""),
    )
