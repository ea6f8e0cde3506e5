from django.urls import path

from donations.account.urls import urlpatterns as account_urls
from donations.online import views as donate_views
from donations.stripe import views

app_name = "donations"
urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
    path("donate/", donate_views.donate, name="donate"),
    path("donate/thanks/", donate_views.thanks, name="thanks"),
    path("donate/test-checkout/<str:token>/", donate_views.test_checkout, name="test-checkout"),
    *account_urls,
]
