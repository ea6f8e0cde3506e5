"""settings.LOGGING. Logs go to standard output, one line per request
(core.telemetry.request_log) with the request id every line written meanwhile carries.
LOG_FORMAT=json writes one JSON object per line, for a log service; "text" (the default) is
for people reading a terminal.

Named logs, not logging: with config/ on sys.path a module called logging would hide Python's."""

from django.core.exceptions import ImproperlyConfigured


def logging_config(*, log_format: str, level: str) -> dict:
    if log_format not in ("text", "json"):
        raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "core.telemetry.request_log.RequestIdFilter"}},
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # WeasyPrint reports each layout step at INFO; only its warnings matter (refused
            # files).
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            # runserver's own line per request repeats ours (which has the request id).
            "django.server": {"level": "WARNING"},
        },
    }
