"""Slowing card testing (issue 10, finding 4): how many checkout sessions /donate/ may start
per client IP address, per donor email and for all donors together.

The counts are django-ratelimit's, kept in the cache (Redis when CACHE_URL is set, else the
database cache). Past a limit the donor is asked to solve a captcha when one is configured
(core.captcha); without one they are refused, and the view shows a friendly 429 page. Each
burst is logged at WARNING once and kept as a CheckoutThrottleEvent that staff see in the admin.
"""

import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django_ratelimit.core import get_usage

from core import captcha
from core.sign_in import client_ip
from donations.models import CheckoutThrottleEvent

logger = logging.getLogger(__name__)
# Refusals less than this far apart belong to one burst (one admin row, one warning).
BURST_GAP = timedelta(minutes=10)


@dataclass(frozen=True)
class CheckoutPermit:
    allowed: bool
    retry_after: int = 0  # seconds until every limit reached has a fresh window
    challenge: captcha.Provider | None = None  # a captcha the donor may solve to go ahead
    challenge_failed: bool = False  # a token was sent and the provider did not accept it


@dataclass(frozen=True)
class Reached:
    limit: str  # the limit's name (for checkouts, a CheckoutThrottleEvent.Limit value)
    subject: str
    rate: str
    retry_after: int


def limits_reached(
    request: HttpRequest, *, group: str, limits: Iterable[tuple[str, str, str]]
) -> list[Reached]:
    """Count this request against each (name, rate, subject) limit in django-ratelimit's
    shared counters and return the limits it is past. A blank rate is a limit turned off. A
    cache that is down (Redis unreachable) counts nothing and is logged: it must not lock
    every donor out."""
    reached = []
    for name, rate, subject in limits:
        if not rate:
            continue
        try:
            usage = get_usage(
                request,
                group=f"{group}.{name}",
                key=lambda _group, _request, value=subject or "all": value,
                rate=rate,
                increment=True,
            )
        except Exception:
            logger.exception("Could not count a request in the cache (%s, %s limit)", group, name)
            continue
        if usage and usage["should_limit"]:
            reached.append(Reached(name, subject, rate, max(int(usage["time_left"]), 1)))
    return reached


def checkout_permit(*, request: HttpRequest, email: str, captcha_token: str = "") -> CheckoutPermit:
    """Count one checkout attempt against every limit and say whether it may go ahead."""
    reached = _count_attempt(request, email)
    if not reached:
        return CheckoutPermit(allowed=True)
    challenge = captcha.provider()
    passed = bool(
        challenge
        and captcha_token
        and captcha.verify(token=captcha_token, remote_ip=client_ip(request))
    )
    _record(reached, passed_captcha=passed)
    if passed:
        return CheckoutPermit(allowed=True)
    return CheckoutPermit(
        allowed=False,
        retry_after=max(r.retry_after for r in reached),
        challenge=challenge,
        challenge_failed=bool(challenge and captcha_token),
    )


def _count_attempt(request: HttpRequest, email: str) -> list[Reached]:
    limits = (
        (CheckoutThrottleEvent.Limit.IP, settings.CHECKOUT_RATE_PER_IP, ip_subject(request)),
        (
            CheckoutThrottleEvent.Limit.EMAIL,
            settings.CHECKOUT_RATE_PER_EMAIL,
            email.strip().lower(),
        ),
        (CheckoutThrottleEvent.Limit.TOTAL, settings.CHECKOUT_RATE_TOTAL, ""),
    )
    return limits_reached(request, group="donations.online.checkout", limits=limits)


def ip_subject(request: HttpRequest) -> str:
    """The client's address; for IPv6 its /64, which one household or phone usually has whole."""
    raw = client_ip(request) or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _record(reached: list[Reached], *, passed_captcha: bool) -> None:
    now = timezone.now()
    counter = "passed_captcha" if passed_captcha else "refused"
    for r in reached:
        open_burst = (
            CheckoutThrottleEvent.objects.filter(
                limit=r.limit, subject=r.subject, last_attempt_at__gte=now - BURST_GAP
            )
            .order_by("-last_attempt_at")
            .values_list("pk", flat=True)
            .first()
        )
        if open_burst is not None:
            CheckoutThrottleEvent.objects.filter(pk=open_burst).update(
                last_attempt_at=now, **{counter: F(counter) + 1}
            )
            continue
        event = CheckoutThrottleEvent.objects.create(
            limit=r.limit,
            subject=r.subject,
            rate=r.rate,
            started_at=now,
            last_attempt_at=now,
            **{counter: 1},
        )
        # The email itself stays in the admin; logs, often shipped elsewhere, get its domain.
        shown = r.subject.partition("@")[2] if r.limit == "email" else r.subject
        logger.warning(
            "Checkout burst: the %s limit (%s) was reached%s; further checkouts are %s. "
            "See Admin > Donations > Checkout throttle events (#%s).",
            r.limit,
            r.rate,
            f" for {'an address at ' if r.limit == 'email' else ''}{shown}" if shown else "",
            "sent to the captcha" if captcha.provider() else "refused",
            event.pk,
        )
