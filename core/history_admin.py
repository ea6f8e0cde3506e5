from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin


class SafeHistoryAdmin(SimpleHistoryAdmin):
    """simple-history saves a POSTed revert for anyone who may *view* history (it only hides
    the button); here only users who may change the record can revert it."""

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
