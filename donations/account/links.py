"""One-time links by email: signing in to the donor account, and confirming a new address.

A link carries a random token; only its SHA-256 is stored (AccountLink.token_hash), so the
table opens nothing. A link works once, for 30 minutes, and only for its purpose. Asking for a
sign-in link answers the same whether or not the address is on file: the token is made and the
email rendered either way, and only a known address gets the row and the outbox message.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from crm.matching import clean_email
from crm.models import Supporter
from donations.account import emails
from donations.models import AccountLink

LINK_LIFETIME = datetime.timedelta(minutes=30)
Purpose = AccountLink.Purpose


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)  # 256 bits
    return token, token_hash(token)


def _link_url(name: str, token: str, language: str) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=[token])}?lang={language}"


@transaction.atomic
def sign_in_link_request(*, email: str) -> bool:
    """Email a sign-in link to `email` if a (living) supporter has it. The caller shows the
    same page either way; the result is for tests and logs only."""
    address = clean_email(email)
    supporter = Supporter.objects.filter(email=address, deceased=False).first() if address else None
    token, hashed = _new_token()
    language = supporter.preferred_language if supporter else "en"
    message = emails.sign_in_message(
        supporter=supporter,
        url=_link_url("donations:account-sign-in", token, language),
        minutes=int(LINK_LIFETIME.total_seconds() // 60),
    )
    if supporter is None:
        return False
    AccountLink.objects.create(
        supporter=supporter,
        purpose=Purpose.SIGN_IN,
        token_hash=hashed,
        expires_at=timezone.now() + LINK_LIFETIME,
    )
    emails.queue(message, to=address, kind="account-sign-in")
    return True


@transaction.atomic
def email_change_link_request(*, supporter: Supporter, new_email: str) -> None:
    """Send a confirmation link to the new address; nothing changes until it is opened."""
    token, hashed = _new_token()
    language = supporter.preferred_language or "en"
    AccountLink.objects.create(
        supporter=supporter,
        purpose=Purpose.EMAIL_CHANGE,
        token_hash=hashed,
        new_email=new_email,
        expires_at=timezone.now() + LINK_LIFETIME,
    )
    message = emails.email_change_message(
        supporter=supporter,
        url=_link_url("donations:account-email-confirm", token, language),
        new_email=new_email,
        minutes=int(LINK_LIFETIME.total_seconds() // 60),
    )
    emails.queue(message, to=new_email, kind="account-email-change")


def link_read(*, token: str, purpose: str) -> AccountLink | None:
    """The open link this token belongs to, without using it (a page that asks to confirm)."""
    return (
        AccountLink.objects.select_related("supporter")
        .filter(
            token_hash=token_hash(token),
            purpose=purpose,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


def link_use(*, token: str, purpose: str) -> AccountLink | None:
    """Use the link once: None when it is unknown, expired, used, or for another purpose. Two
    requests at once cannot both use it: the update claims it."""
    link = link_read(token=token, purpose=purpose)
    if link is None:
        return None
    claimed = AccountLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return link if claimed else None
