"""/healthz for load balancers and uptime monitors: 200 when every check passes, 503 naming
the part that failed. Open to anyone (monitors don't sign in), so it says nothing sensitive."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.health.checks import health_report


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, checks = health_report()
    body = {
        "status": "ok" if healthy else "failing",
        "failing": [check.name for check in checks if not check.ok],
        "checks": {
            check.name: {"ok": check.ok, "detail": check.detail, **check.figures}
            for check in checks
        },
    }
    return JsonResponse(body, status=200 if healthy else 503)
