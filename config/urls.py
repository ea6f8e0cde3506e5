from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from core import sign_in
from core.outbox.views import postmark_tracking
from reports.home.views import staff_home

admin.site.site_header = "Donor CRM"
admin.site.site_title = "Donor CRM"
admin.site.index_title = "Supporters, gifts and appeals"
# The list pages are wide (name, email, place, consent, tags): give them the whole width.
admin.site.enable_nav_sidebar = False
# Sign-in asks for the authenticator code of anyone who has set up an app (core/sign_in.py).
admin.site.login_form = sign_in.SignInForm
admin.site.login_template = "core/sign_in/login.html"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # Before the admin's own URLs, which would otherwise claim the path.
    path("admin/two-factor/", sign_in.enrol, name="two-factor-enrol"),
    # The staff home (reports.home) answers for the admin's index: 'admin:index' leads there.
    path("admin/", staff_home, name="staff-home"),
    path("admin/", admin.site.urls),
    # The ESP's delivery, bounce, complaint, open and click events (core.outbox.tracking).
    path("anymail/postmark/tracking/", postmark_tracking, name="postmark-tracking"),
    path("reports/", include("reports.urls")),
    path("", include("donations.urls")),
    path("", include("mailings.urls")),
]

# Styled 403 and 404 pages, staff or donor by where they are asked for (core.errors); the 500
# page is templates/500.html. Django uses them when DEBUG is off.
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
