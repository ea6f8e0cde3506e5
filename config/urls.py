from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Donor CRM"
admin.site.site_title = "Donor CRM"
admin.site.index_title = "Supporters, gifts and appeals"
# The list pages are wide (name, email, place, consent, tags): give them the whole width.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("", include("donations.urls")),
    path("", include("mailings.urls")),
]
