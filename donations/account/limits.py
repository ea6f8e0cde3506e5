"""How many sign-in links may be asked for, per email address and per client address.

Counted like the donate page's checkout limits (donations.online.limits): django-ratelimit's
counters in the shared cache (Redis with CACHE_URL, else the database), never in process
memory. Both limits count every request, address on file or not, so a refusal says nothing
about whether an address is known."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from crm.matching import clean_email
from donations.online.limits import ip_subject, limits_reached

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkPermit:
    allowed: bool
    retry_after: int = 0  # seconds until every limit reached has a fresh window


def sign_in_link_permit(*, request: HttpRequest, email: str) -> LinkPermit:
    """Count one request for a link against both limits and say whether it may go ahead."""
    limits = (
        ("email", settings.ACCOUNT_LINK_RATE_PER_EMAIL, clean_email(email)),
        ("ip", settings.ACCOUNT_LINK_RATE_PER_IP, ip_subject(request)),
    )
    reached = limits_reached(request, group="donations.account.link", limits=limits)
    waits = [r.retry_after for r in reached]
    if waits:
        logger.warning("Sign-in links: a limit was reached; the request was refused.")
        return LinkPermit(allowed=False, retry_after=max(waits))
    return LinkPermit(allowed=True)
