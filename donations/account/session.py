"""The donor's signed-in session: a key of its own in Django's session (not a staff User),
bound to one supporter id, ended by signing out, by ACCOUNT_IDLE_MINUTES without a request,
or after MAX_AGE whatever the activity."""

import datetime
import time

from django.conf import settings
from django.http import HttpRequest

from crm.models import Supporter

SESSION_KEY = "donor_account"
MAX_AGE = datetime.timedelta(hours=12)
# A request within this long of the last one does not rewrite the session row.
TOUCH_EVERY = 60


def account_session_start(*, request: HttpRequest, supporter_id: int) -> None:
    # A new session key at sign-in: a key planted before it (session fixation) opens nothing.
    request.session.cycle_key()
    now = int(time.time())
    request.session[SESSION_KEY] = {"supporter": supporter_id, "since": now, "seen": now}


def account_session_end(*, request: HttpRequest) -> None:
    """Sign the donor out; a staff sign-in in the same browser is left alone."""
    if request.session.pop(SESSION_KEY, None) is not None:
        request.session.cycle_key()


def account_session_supporter(request: HttpRequest) -> Supporter | None:
    """The signed-in donor, or None (never signed in, idle too long, too old, or removed)."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    now = int(time.time())
    idle = settings.ACCOUNT_IDLE_MINUTES * 60
    if now - data.get("seen", 0) > idle or now - data.get("since", 0) > MAX_AGE.total_seconds():
        account_session_end(request=request)
        return None
    supporter = Supporter.objects.filter(pk=data.get("supporter"), deceased=False).first()
    if supporter is None:
        account_session_end(request=request)
        return None
    if now - data["seen"] >= TOUCH_EVERY:
        request.session[SESSION_KEY] = {**data, "seen": now}
    return supporter
