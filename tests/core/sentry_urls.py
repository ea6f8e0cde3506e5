"""A page that fails while holding a donor's record, for tests/core/test_sentry_scrubbing.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from crm.models import Supporter


def failing_view(request: HttpRequest, supporter_id: int) -> HttpResponse:
    supporter = Supporter.objects.get(pk=supporter_id)
    email = supporter.email  # a local variable holding personal data
    raise ValueError(f"No receipt for {email}: first name {supporter.first_name!r} too long")


urlpatterns = [path("fail/<int:supporter_id>/", failing_view)]
