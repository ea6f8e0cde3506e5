"""Audiences in the admin: the list is the admin's; adding and changing open the editor."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path

from mailings.audiences import views
from mailings.audiences.models import Audience
from mailings.audiences.services import audiences_using


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "updated_at"]
    search_fields = ["name", "description"]

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("preview/", view(views.preview(self)), name="mailings_audience_preview"),
            *super().get_urls(),
        ]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None):
        return views.editor(self)(request)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if not object_id.isdigit():
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return views.editor(self)(request, int(object_id))

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        # An audience that others include or exclude stays until they stop naming it.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for audience in objs:
            protected += [
                f"Audience: {other} (uses {audience})" for other in audiences_using(audience)
            ]
        return deleted, counts, perms_needed, protected
