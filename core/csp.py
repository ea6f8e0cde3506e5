"""The Content-Security-Policy header: django-csp's middleware, with the policy of
settings.CONTENT_SECURITY_POLICY, plus the captcha provider's origins when a captcha is
configured (core.captcha), decided per response so that no page allows them otherwise."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

from core import captcha


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        extra = captcha.csp_sources()
        if extra:
            update = dict(parts.update or {})
            for directive, sources in extra.items():
                update[directive] = [*update.get(directive, []), *sources]
            parts.update = update
        return parts
