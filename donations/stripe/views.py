import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from donations.stripe.client import InvalidWebhook
from donations.stripe.inbox import stripe_event_receive

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe signs its requests instead; the signature is checked on the raw body
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Answers 200 once the event is stored with the task that processes it (the background
    worker does the rest: donations.stripe.inbox); 400 for a forged or stale body."""
    try:
        # A real event is a few kB; Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE
        # before reading it.
        payload = request.body
    except RequestDataTooBig:
        logger.warning(
            "Stripe webhook refused a %s-byte body (limit %s bytes); nothing was stored",
            request.headers.get("Content-Length", "?"),
            settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        )
        return HttpResponse("Body too large.", status=413, content_type="text/plain")
    try:
        event_id = stripe_event_receive(
            payload=payload, signature=request.headers.get("Stripe-Signature", "")
        )
    except InvalidWebhook as exc:
        return HttpResponseBadRequest(f"Invalid webhook: {exc}", content_type="text/plain")
    except Exception:
        # The event's row and its task commit together or not at all: nothing was stored,
        # so Stripe's retry is the only copy.
        logger.exception("Stripe webhook failed before the event was stored; Stripe will retry")
        return HttpResponse("Not stored; retry.", status=500, content_type="text/plain")
    return HttpResponse(f"ok {event_id}", content_type="text/plain")
