"""Answers /healthz ahead of everything else. Load balancers probe by the machine's own address
and over plain HTTP inside the private network: ahead of the host check (ALLOWED_HOSTS) and
the HTTPS redirect, the probe gets the health answer rather than a 400 or a 301."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.health.views import healthz

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH:
            return healthz(request)
        return self.get_response(request)
