import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from donations.stripe_client import InvalidWebhook
from donations.stripe_events import stripe_event_receive

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe signs its requests instead; the signature is checked on the raw body
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        event_id = stripe_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except InvalidWebhook as exc:
        return HttpResponseBadRequest(f"Invalid webhook: {exc}", content_type="text/plain")
    except Exception:
        logger.exception("Stripe event stored but its processing failed; Stripe will retry")
        return HttpResponse(
            "Processing failed; kept for retry.", status=500, content_type="text/plain"
        )
    return HttpResponse(f"ok {event_id}", content_type="text/plain")
