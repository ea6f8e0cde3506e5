"""The ESP's tracking webhook (Postmark), anymail's view behind one check of ours: with no
ANYMAIL_WEBHOOK_SECRET set, anymail would take events from anyone (it only warns), so the
endpoint refuses everything until a secret is configured."""

from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

_anymail_view = PostmarkTrackingWebhookView.as_view()


@csrf_exempt
def postmark_tracking(request: HttpRequest) -> HttpResponse:
    if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        return HttpResponse(
            "Tracking is off: set ANYMAIL_WEBHOOK_SECRET.", status=403, content_type="text/plain"
        )
    return _anymail_view(request)
