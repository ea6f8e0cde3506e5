from django.urls import path, re_path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.page, name="overview"),
    path("board.pdf", views.board_pdf, name="board-pdf"),
    re_path(r"^(?P<table>[a-z-]+)\.(?P<kind>csv|xlsx)$", views.export, name="export"),
    path("<slug:slug>/", views.page, name="page"),
]
