from django.urls import path

from donations.account import plan_views, views

# Included by donations.urls under the app name "donations".
urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/sign-in/<str:token>/", views.sign_in, name="account-sign-in"),
    path("account/sign-out/", views.sign_out, name="account-sign-out"),
    path("account/receipts/<str:number>/", views.receipt, name="account-receipt"),
    path("account/statements/<int:year>/", views.statement, name="account-statement"),
    path("account/address/", views.change_address, name="account-address"),
    path("account/language/", views.change_language, name="account-language"),
    path("account/contact/", views.change_contact, name="account-contact"),
    path("account/email/", views.change_email, name="account-email"),
    path("account/email/confirm/<str:token>/", views.confirm_email, name="account-email-confirm"),
    path("account/plans/<int:plan_id>/amount/", plan_views.plan_amount, name="account-plan-amount"),
    path("account/plans/<int:plan_id>/pause/", plan_views.plan_pause, name="account-plan-pause"),
    path("account/plans/<int:plan_id>/resume/", plan_views.plan_resume, name="account-plan-resume"),
    path("account/plans/<int:plan_id>/cancel/", plan_views.plan_cancel, name="account-plan-cancel"),
    path("account/plans/<int:plan_id>/card/", plan_views.plan_card, name="account-plan-card"),
]
