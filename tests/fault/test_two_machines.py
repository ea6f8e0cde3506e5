"""Two web machines and two workers against one PostgreSQL, as a larger deployment runs:
two gunicorn instances (DEBUG off) and two `manage.py worker` processes, checkout limits in
Redis, sessions in the database. Donors give through both machines, Stripe's events arrive at
either (some at both), staff press Send on both at once; every gift is recorded and thanked
once, the appeal reaches each recipient once, and a limit counts across machines."""

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from django.db import connection

from crm.models import Supporter, Tag
from donations.models import Fund, Gift
from mailings.audiences.models import Audience
from mailings.demo_data import demo_letters_seed
from mailings.models import Letter, Mailing
from tests.donations.stripe_events import event, signed_headers, stripe_object
from tests.factories import SupporterFactory
from tests.postmark_standin import TOKEN, PostmarkStandIn
from tests.processes import production_environment, worker_command
from tests.stripe_standin import StripeStandIn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = "whsec_two_machines"
APPEAL_RECIPIENTS = 30
DONORS = 12


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(standin_mail: PostmarkStandIn, stripe: StripeStandIn) -> dict[str, str]:
    db = connection.settings_dict
    return production_environment(
        database_url=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        email_api_url=standin_mail.url,
        email_token=TOKEN,
        SITE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        CACHE_URL="redis://127.0.0.1:6379/13",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe.url,
        CHECKOUT_RATE_PER_EMAIL="3/h",
        OUTBOX_RETRY_BASE_SECONDS="0",
        MEDIA_ROOT=str(ROOT / "var" / "test-two-machines"),
        LOG_LEVEL="WARNING",
    )


def _start(env: dict[str, str]) -> tuple[list[str], list[subprocess.Popen]]:
    # As a deployment does: with DEBUG off the pages name their static files by the manifest.
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    redis.Redis.from_url(env["CACHE_URL"]).flushdb()  # counts of an earlier run start over
    urls, processes = [], []
    for _ in range(2):
        port = _free_port()
        processes.append(
            subprocess.Popen(  # noqa: S603 - our own app
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )  # fmt: skip
        )
        urls.append(f"http://127.0.0.1:{port}")
    for name in ("machine-a", "machine-b"):
        processes.append(
            subprocess.Popen(worker_command(worker_id=name), cwd=ROOT, env=env)  # noqa: S603
        )
    return urls, processes


class Browser:
    """A person's browser against one machine or the other. DEBUG is off, so the cookies are
    marked Secure; the test speaks plain HTTP to 127.0.0.1, so it sends them itself."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def open(self, url: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urlencode(data).encode() if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if data is not None:
            headers["Referer"] = url  # Django's CSRF check wants one on HTTPS only; harmless
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=60) as answer:
                status, text, answer_headers = answer.status, answer.read().decode(), answer.headers
        except urllib.error.HTTPError as error:
            status, text, answer_headers = error.code, error.read().decode(), error.headers
        for header in answer_headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return status, text, dict(answer_headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=15) as answer:  # noqa: S310
            return json.loads(answer.read())["status"] == "ok"
    except OSError:  # not listening yet, or still starting (URLError, timeouts)
        return False


def _give(browser: Browser, url: str, email: str) -> int:
    status, page, _ = browser.open(f"{url}/donate/")
    assert status == 200
    fields = dict(re.findall(r'name="(csrfmiddlewaretoken|nonce)" value="([^"]+)"', page))
    data = {
        "frequency": "once", "amount": "50", "other_amount": "", "first_name": "Rosa",
        "last_name": "Díaz", "email": email, "country": "US", "website": "", **fields,
    }  # fmt: skip
    return browser.open(f"{url}/donate/", data)[0]


def _deliver(url: str, payload: bytes) -> int:
    headers = {
        "Content-Type": "application/json",
        "Stripe-Signature": signed_headers(payload, secret=WEBHOOK_SECRET)["HTTP_STRIPE_SIGNATURE"],
    }
    request = urllib.request.Request(  # noqa: S310 - our own machines
        f"{url}/stripe/webhook/", data=payload, headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return answer.status


@pytest.fixture
def appeal(db) -> Mailing:
    Fund.objects.create(name="General", code="general", is_default=True)
    tag = Tag.objects.create(name="Spring appeal")
    for n in range(APPEAL_RECIPIENTS):
        SupporterFactory(email=f"reader{n}@example.org", email_opt_in="opted_in").tags.add(tag)
    demo_letters_seed(seed=1)
    Mailing.objects.filter(slug__startswith="demo-").delete()
    audience = Audience.objects.create(name="Spring", criteria={"tags_any": [tag.pk]})
    return Mailing.objects.create(
        name="Spring appeal", slug="spring-two-machines", channel=Mailing.Channel.EMAIL,
        letter=Letter.objects.get(appeal_code="sanct26"), audience=audience,
    )  # fmt: skip


def test_two_web_machines_and_two_workers_take_gifts_and_send_a_mailing(appeal, django_user_model):
    with PostmarkStandIn(latency=0.002) as mail, StripeStandIn() as stripe:
        urls, processes = _start(_environment(mail, stripe))
        try:
            _wait(lambda: all(_healthy(url) for url in urls), 90, "both machines healthy")

            # Donors give on both machines; a fourth attempt with one email is refused
            # although each machine saw only two: the count lives in Redis.
            donor = Browser()
            statuses = [_give(donor, urls[n % 2], "rosa@example.org") for n in range(4)]
            assert statuses[:3] == [302, 302, 302] and statuses[3] == 429, statuses
            assert len(stripe.session_requests) == 3

            # Stripe's events reach either machine, each once and half of them twice.
            for n in range(DONORS):
                session = stripe_object(
                    "checkout_session_payment", id=f"cs_two_{n}", payment_intent=f"pi_two_{n}",
                    customer_details={
                        **stripe_object("checkout_session_payment")["customer_details"],
                        "email": f"giver{n}@example.org", "name": f"Giver {n}",
                    },
                )  # fmt: skip
                payload = event("checkout.session.completed", session, event_id=f"evt_two_{n}")
                assert _deliver(urls[n % 2], payload) == 200
                if n % 2 == 0:
                    assert _deliver(urls[(n + 1) % 2], payload) == 200

            # Staff signed in on one machine press Send on both at once (two tabs).
            django_user_model.objects.create_superuser("ana", password="long-pass-12")
            browser = Browser()
            _, login, _ = browser.open(f"{urls[0]}/admin/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
            status, _, headers = browser.open(
                f"{urls[0]}/admin/login/",
                {"csrfmiddlewaretoken": token, "username": "ana", "password": "long-pass-12"},
            )
            assert status == 302, "signed in on machine A"
            assert browser.open(f"{urls[1]}/admin/")[0] == 200, "the session holds on machine B"
            send = f"/admin/mailings/mailing/{appeal.pk}/send/"
            forms = [browser.open(f"{url}{send}")[1] for url in urls]
            tokens = [
                re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', f).group(1) for f in forms
            ]
            for url, csrf in zip(urls, tokens, strict=True):
                assert browser.open(f"{url}{send}", {"csrfmiddlewaretoken": csrf})[0] == 302

            def settled() -> bool:
                thanked = Counter(r for r in mail.recipients() if r.startswith("giver"))
                read = Counter(r for r in mail.recipients() if r.startswith("reader"))
                return len(thanked) == DONORS and len(read) == APPEAL_RECIPIENTS

            _wait(settled, 180, "every thank-you and appeal")
            time.sleep(2)  # anything sent twice would arrive by now
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)

        sent = Counter(mail.recipients())
    assert Gift.objects.count() == DONORS, "one gift per checkout, duplicates included"
    assert all(sent[f"giver{n}@example.org"] == 1 for n in range(DONORS)), "thanked once each"
    assert all(sent[f"reader{n}@example.org"] == 1 for n in range(APPEAL_RECIPIENTS))
    appeal.refresh_from_db()
    assert appeal.status in (Mailing.Status.SENDING, Mailing.Status.SENT)
    assert Supporter.objects.filter(email__startswith="giver").count() == DONORS
