"""The product's URLs plus the ceiling for bench/webhooks.py: a view that does one trivial
query and answers 200, so the bench can show what the same gunicorn, middleware and database
answer when the view does (almost) nothing. Loaded only through bench/ceiling_settings.py."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as product_urls

CEILING = "/bench/ceiling/"


@csrf_exempt  # posted to like the webhook, which is exempt too (Stripe signs instead)
def ceiling(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path(CEILING.strip("/") + "/", ceiling), *product_urls]
