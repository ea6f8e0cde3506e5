"""The one seam to a captcha provider (Cloudflare Turnstile or hCaptcha), when one is configured
(CAPTCHA_PROVIDER, CAPTCHA_SITE_KEY, CAPTCHA_SECRET_KEY): the widget a page shows, the origins
its Content-Security-Policy must then allow, and the server-side check of a donor's token."""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)
VERIFY_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Provider:
    name: str
    script_url: str  # the provider's api.js
    widget_class: str  # the element the script turns into the widget
    response_field: str  # the form field the widget fills with its token
    verify_url: str  # siteverify: POST secret, response, remoteip -> {"success": bool, ...}
    csp: dict[str, list[str]]  # what the page's policy must allow for the widget

    @property
    def site_key(self) -> str:
        return settings.CAPTCHA_SITE_KEY

    def script_src(self, language: str) -> str:
        # Turnstile reads the widget's data-language; hCaptcha its script's ?hl=.
        if self.name == "hcaptcha":
            return f"{self.script_url}?{urlencode({'hl': language})}"
        return self.script_url


_CLOUDFLARE = "https://challenges.cloudflare.com"
_HCAPTCHA = ["https://hcaptcha.com", "https://*.hcaptcha.com"]
PROVIDERS = {
    # https://developers.cloudflare.com/turnstile/reference/content-security-policy
    "turnstile": Provider(
        name="turnstile",
        script_url=f"{_CLOUDFLARE}/turnstile/v0/api.js",
        widget_class="cf-turnstile",
        response_field="cf-turnstile-response",
        verify_url=f"{_CLOUDFLARE}/turnstile/v0/siteverify",
        csp={"script-src": [_CLOUDFLARE], "frame-src": [_CLOUDFLARE]},
    ),
    # https://docs.hcaptcha.com/#content-security-policy-settings
    "hcaptcha": Provider(
        name="hcaptcha",
        script_url="https://js.hcaptcha.com/1/api.js",
        widget_class="h-captcha",
        response_field="h-captcha-response",
        verify_url="https://api.hcaptcha.com/siteverify",
        csp={
            "script-src": _HCAPTCHA,
            "frame-src": _HCAPTCHA,
            "style-src": _HCAPTCHA,
            "connect-src": [*_HCAPTCHA, "'self'"],
        },
    ),
}


def provider() -> Provider | None:
    """The configured provider, or None when no captcha is set up."""
    if not (settings.CAPTCHA_PROVIDER and settings.CAPTCHA_SITE_KEY):
        return None
    return PROVIDERS[settings.CAPTCHA_PROVIDER]


def token_from(data: dict) -> str:
    chosen = provider()
    return str(data.get(chosen.response_field, ""))[:4096] if chosen else ""


def verify(*, token: str, remote_ip: str | None) -> bool:
    """Ask the provider whether the token a donor's browser got is good. Anything else (no
    token, a refusal, the provider unreachable or answering nonsense) is a no."""
    chosen = provider()
    if chosen is None or not token:
        return False
    url = settings.CAPTCHA_VERIFY_URL or chosen.verify_url
    if urlsplit(url).scheme not in ("https", "http"):
        raise ValueError(f"CAPTCHA_VERIFY_URL must be an http(s) URL, not {url!r}")
    fields = {"secret": settings.CAPTCHA_SECRET_KEY, "response": token}
    if remote_ip:
        fields["remoteip"] = remote_ip
    if chosen.name == "hcaptcha":
        fields["sitekey"] = settings.CAPTCHA_SITE_KEY
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=urlencode(fields).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=VERIFY_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read(65536))
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        logger.warning("Could not verify a %s token: %s", chosen.name, exc)
        return False
    if not isinstance(answer, dict) or answer.get("success") is not True:
        codes = answer.get("error-codes") if isinstance(answer, dict) else answer
        logger.info("A %s token was refused: %s", chosen.name, codes)
        return False
    return True
