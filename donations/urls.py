from django.urls import path

from donations import views

app_name = "donations"
urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
]
