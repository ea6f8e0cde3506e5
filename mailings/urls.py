from django.urls import path

from mailings.emails import views

app_name = "mailings"
urlpatterns = [
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
