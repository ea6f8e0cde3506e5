"""One log line per request with a request id, returned as X-Request-ID and carried by every
line written meanwhile; no query strings or tokens in it; JSON when LOG_FORMAT asks."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "donorcrm.requests"]


def test_each_request_is_one_line_with_its_id(client, caplog):
    caplog.set_level(logging.INFO, logger="donorcrm.requests")
    response = client.get("/donate/?t=secret-letter-token&amount=50")
    (line,) = _lines(caplog)
    assert response["X-Request-ID"] == line.request_id
    assert len(line.request_id) == 32
    assert (line.method, line.path, line.status) == ("GET", "/donate/", 200)
    assert line.duration_ms > 0 and line.user_id is None
    assert "secret-letter-token" not in line.getMessage()


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client, caplog):
    caplog.set_level(logging.INFO, logger="donorcrm.requests")
    kept = client.get("/donate/", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    assert kept["X-Request-ID"] == "lb-7f3a9c2e-0001"
    replaced = client.get("/donate/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert replaced["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(replaced["X-Request-ID"]) == 32


def test_a_token_in_the_path_is_not_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="donorcrm.requests")
    client.get("/u/AbCdEf123-not-a-real-token/")
    (line,) = _lines(caplog)
    assert line.path == "/u/…/"
    assert "AbCdEf123" not in line.getMessage()


def test_staff_requests_name_the_user_by_id(staff_client, staff, caplog):
    caplog.set_level(logging.INFO, logger="donorcrm.requests")
    staff_client.get("/admin/")
    assert _lines(caplog)[-1].user_id == staff.pk


def test_lines_written_during_a_request_carry_its_id(client, caplog):
    """The filter the console handler uses stamps the current request's id on any record."""
    from core.telemetry.request_log import RequestIdFilter, request_id_var

    token = request_id_var.set("abcdef0123456789")
    try:
        record = logging.LogRecord("crm", logging.WARNING, __file__, 1, "row skipped", None, None)
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    assert record.request_id == "abcdef0123456789"
    outside = logging.LogRecord("crm", logging.WARNING, __file__, 1, "x", None, None)
    RequestIdFilter().filter(outside)
    assert outside.request_id == "-"


def test_log_format_json_writes_one_object_per_line(tmp_path):
    """The settings' own logging configuration, in a real process with LOG_FORMAT=json."""
    script = (
        "import django; django.setup()\nfrom django.test import Client\nClient().get('/donate/')\n"
    )
    env = {
        **os.environ,
        "DEBUG": "true",
        "LOG_FORMAT": "json",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    records = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    requests = [r for r in records if r.get("logger") == "donorcrm.requests"]
    assert len(requests) == 1, done.stderr[-2000:]
    line = requests[0]
    assert line["level"] == "INFO" and line["path"] == "/donate/" and line["status"] == 200
    assert len(line["request_id"]) == 32 and "time" in line


def test_an_unknown_log_format_stops_start_up():
    env = {**os.environ, "LOG_FORMAT": "xml", "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "LOG_FORMAT must be text or json" in done.stderr
