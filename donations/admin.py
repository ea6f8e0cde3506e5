from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.history_admin import SafeHistoryAdmin
from donations.models import Campaign, Fund, Gift, RecurringGift, StripeEvent


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_default", "is_active"]
    prepopulated_fields = {"code": ["name"]}
    search_fields = ["name", "code"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "goal", "starts_on", "ends_on", "fund"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Gift)
class GiftAdmin(SafeHistoryAdmin):
    list_display = [
        "received_on",
        "supporter",
        "amount",
        "currency",
        "method",
        "status",
        "campaign",
        "fund",
        "acknowledgement",
    ]
    list_filter = ["status", "method", "acknowledgement", "campaign", "fund"]
    search_fields = [
        "supporter__first_name",
        "supporter__last_name",
        "supporter__email",
        "cheque_number",
        "stripe_payment_intent_id",
        "stripe_charge_id",
    ]
    autocomplete_fields = ["supporter"]
    list_select_related = ["supporter", "campaign", "fund"]
    date_hierarchy = "received_on"
    readonly_fields = [
        "stripe_checkout_session_id",
        "stripe_payment_intent_id",
        "stripe_charge_id",
        "stripe_invoice_id",
        "recurring",
        "created_at",
        "recorded_by",
    ]


@admin.register(RecurringGift)
class RecurringGiftAdmin(SafeHistoryAdmin):
    list_display = ["supporter", "amount", "interval", "status", "started_on", "next_charge_on"]
    list_filter = ["status", "interval"]
    search_fields = ["supporter__last_name", "supporter__email", "stripe_subscription_id"]
    list_select_related = ["supporter"]
    readonly_fields = ["stripe_subscription_id", "stripe_customer_id", "cancelled_at"]
    autocomplete_fields = ["supporter"]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "type", "event_id", "processed_at", "attempts", "has_error"]
    list_filter = ["type"]
    search_fields = ["event_id"]
    readonly_fields = [f.name for f in StripeEvent._meta.fields]

    @admin.display(boolean=True, description="Error")
    def has_error(self, event: StripeEvent) -> bool:
        return bool(event.error)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
