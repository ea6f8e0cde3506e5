from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from core.admin_columns import money_column
from core.history_admin import SafeHistoryAdmin
from core.stale_edit import StaleEditAdminMixin
from crm.admin import SupporterAdmin
from crm.importing.job_admin import ImportJobAdminMixin
from donations import supporter_profile
from donations.acknowledgements.statement_views import statements_view
from donations.acknowledgements.views import thanks_queue_view
from donations.deposits import admin as payouts_admin  # noqa: F401 - registers Payout and the journal page
from donations.deposits.batch import batch_urls
from donations.forms import GiftAdminForm
from donations.gift_entry import listing
from donations.gift_entry.views import gift_record_url
from donations.imports.any_file import FILE_IMPORT
from donations.imports.resources import GiftImportForm, GiftResource
from donations.models import (
    Campaign,
    CheckoutThrottleEvent,
    Fund,
    Gift,
    PaymentFailure,
    RecurringGift,
    Refund,
    StatementSend,
    StripeEvent,
)
from donations.plan_admin import plan_change_entry
from donations.refund_admin import RefundAdmin, refund_entry, refunds_listed
from donations.services import GiftEntry, gift_delete, gift_record, gift_update, gifts_delete
from donations.summary import first_counted_gift
from donations.tasks import file_import_run


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "code", "is_default", "is_active"]
    prepopulated_fields = {"code": ["name"]}
    search_fields = ["name", "code"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "code", money_column("goal"), "starts_on", "ends_on", "fund"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


class FirstGiftFilter(admin.SimpleListFilter):
    """A donor's first counted gift ever: first-time donors to welcome (the staff home)."""

    title = "first gift"
    parameter_name = "first_gift"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Donor's first gift")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(first_counted_gift()) if self.value() == "yes" else queryset


@admin.register(Gift)
class GiftAdmin(StaleEditAdminMixin, ImportJobAdminMixin, ImportExportModelAdmin, SafeHistoryAdmin):
    form = GiftAdminForm
    resource_classes = [GiftResource]
    import_form_class = GiftImportForm
    # Checked and written through import jobs (crm.importing.job_admin): people, gifts or both.
    import_kind = FILE_IMPORT
    import_task = file_import_run
    import_template_name = "admin/donations/gift/import.html"

    def has_import_permission(self, request: HttpRequest) -> bool:
        # A gift file adds and updates its donors: whoever imports it may do both.
        return super().has_import_permission(request) and all(
            request.user.has_perm(p) for p in ("crm.add_supporter", "crm.change_supporter")
        )

    import_error_display = ("message",)
    import_formats = [base_formats.CSV, base_formats.XLSX]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    # The list staff read all day (fits 1366 px): fee, net and currency are on each gift's page
    # and in the export.
    list_display = [
        listing.amount, listing.date, listing.donor, "method", listing.campaign, listing.fund,
        listing.thanked,
    ]  # fmt: skip
    list_filter = ["status", "method", "acknowledgement", FirstGiftFilter, "campaign", "fund"]
    search_fields = [
        "supporter__first_name",
        "supporter__last_name",
        "supporter__email",
        "cheque_number",
        "stock_ticker",
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
        "fee",
        "net",
        "recurring",
        "created_at",
        "recorded_by",
        # Set only by sending the notice (donations.acknowledgements.tribute_notices): sent once.
        "tribute_notified_at",
        "tribute_notice_channel",
        # Refunds are dated rows recorded through 'Record a refund' (donations.refunds);
        # the gift shows their sum.
        "amount_refunded",
        "refunds",
    ]
    change_list_template = "admin/donations/gift/change_list.html"
    # The list totals what is filtered (listing.gifts_total): a second count of every gift
    # ("of N total") would cost as much again at a million gifts.
    show_full_result_count = False
    change_form_template = "admin/donations/gift/change_form.html"

    def get_urls(self) -> list:
        return [
            gift_record_url(self),
            *batch_urls(self),
            path(
                "<int:gift_id>/refund/",
                self.admin_site.admin_view(refund_entry(self)),
                name="donations_gift_refund",
            ),
            path(
                "to-thank/",
                self.admin_site.admin_view(thanks_queue_view(self)),
                name="donations_gift_thanks",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:  # not a redirect or an action's confirmation page
            response.context_data["gifts_total"] = listing.gifts_total(
                changelist.queryset, count=changelist.result_count
            )
            by_date = any(key.startswith("received_on__") for key in changelist.filter_params)
            filtered = changelist.has_active_filters or changelist.query or by_date
            response.context_data["gifts_filtered"] = filtered
        return response

    @admin.display(description="Refunds (dated)")
    def refunds(self, gift: Gift) -> str:
        return refunds_listed(gift)

    # One way to write a gift: the admin's add, change, revert and delete go through the gifts
    # service (donations.services), with the rules, defaults, history and summary refresh that
    # batches, imports and Stripe get. The form ran the same checks, to show them by the field.
    def save_model(self, request: HttpRequest, obj: Gift, form: Any, change: bool) -> None:
        if change:
            gift_update(gift=obj, updated_by=request.user)
            return
        gift = gift_record(entry=GiftEntry.from_values(form.cleaned_data), recorded_by=request.user)
        # The admin goes on to log the addition and redirect with `obj`: it becomes the row.
        for model_field in Gift._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(gift, model_field.attname))
        obj._state.adding, obj._state.db = False, gift._state.db

    def delete_model(self, request: HttpRequest, obj: Gift) -> None:
        gift_delete(gift=obj, deleted_by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        gifts_delete(gifts=queryset, deleted_by=request.user)


@admin.register(StatementSend)
class StatementSendAdmin(admin.ModelAdmin):
    """The record of year-end statements sent; they are sent from the statements screen (or
    `manage.py annual_statements`), never added or edited here."""

    list_display = ["sent_at", "year", "supporter", "channel", "is_correction", "sent_by", "note"]
    list_filter = ["year", "channel", "is_correction"]
    search_fields = ["supporter__first_name", "supporter__last_name", "supporter__email"]
    list_select_related = ["supporter", "sent_by"]
    change_list_template = "admin/donations/statementsend/change_list.html"

    def get_urls(self) -> list:
        return [
            path(
                "run/",
                self.admin_site.admin_view(statements_view(self)),
                name="donations_statementsend_run",
            ),
            *super().get_urls(),
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting a record would let the next run email the donor again


admin.site.register(Refund, RefundAdmin)


class PaymentFailureInline(admin.TabularInline):
    """The plan's failed payments, as Stripe reported them: read only."""

    model = PaymentFailure
    fields = readonly_fields = ["failed_on", "amount", "attempts", "stripe_invoice_id"]
    extra = 0
    can_delete = False
    verbose_name_plural = "failed payments"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RecurringGift)
class RecurringGiftAdmin(SafeHistoryAdmin):
    list_display = [
        "supporter",
        money_column("amount"),
        "interval",
        "status",
        "started_on",
        "next_charge_on",
    ]
    list_filter = ["status", "interval"]
    search_fields = ["supporter__last_name", "supporter__email", "stripe_subscription_id"]
    list_select_related = ["supporter"]
    readonly_fields = ["stripe_subscription_id", "stripe_customer_id", "cancelled_at"]
    # Stripe holds these for a plan it charges: typed here they would differ from what it
    # charges. Changes go through donations.plans (the donor's account page), which asks it.
    STRIPE_HELD = ["amount", "status", "next_charge_on", "paused_until", "cancel_reason"]
    autocomplete_fields = ["supporter"]
    inlines = [PaymentFailureInline]

    def get_urls(self) -> list:
        return [
            path(
                "<int:plan_id>/change-at-stripe/",
                self.admin_site.admin_view(plan_change_entry(self)),
                name="donations_recurringgift_plan_change",
            ),
            *super().get_urls(),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.stripe_subscription_id:
            fields += self.STRIPE_HELD
        return fields


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Needs attention"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "yes":
            return queryset.exclude(attention="")
        if self.value() == "no":
            return queryset.filter(attention="")
        return queryset


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = [
        "received_at", "type", "event_id", "processed_at", "attempts", "has_error", "attention",
    ]  # fmt: skip
    list_filter = [NeedsAttentionFilter, "type"]
    search_fields = ["event_id"]
    readonly_fields = [f.name for f in StripeEvent._meta.fields]

    @admin.display(boolean=True, description="Error")
    def has_error(self, event: StripeEvent) -> bool:
        return bool(event.error)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CheckoutThrottleEvent)
class CheckoutThrottleEventAdmin(admin.ModelAdmin):
    """Bursts of checkout attempts that reached a card-testing limit: a record, not a form."""

    list_display = [
        "started_at", "limit", "subject", "rate", "refused", "passed_captcha", "last_attempt_at",
    ]  # fmt: skip
    list_filter = ["limit"]
    search_fields = ["subject"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in CheckoutThrottleEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class GiftInline(admin.TabularInline):
    """The supporter page's gift list, newest first."""

    model = Gift
    extra = 0
    fields = ["received_on", "amount", "method", "status", "campaign", "fund", "acknowledgement"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    ordering = ["-received_on", "-pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row shows its campaign and fund, and names its supporter (Gift.__str__, the
        # change link): read with the gifts, not one query per row.
        return super().get_queryset(request).select_related("supporter", "campaign", "fund")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecurringGiftInline(admin.TabularInline):
    model = RecurringGift
    extra = 0
    fields = ["amount", "interval", "status", "started_on", "next_charge_on"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    verbose_name_plural = "Recurring gifts"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("supporter")  # as GiftInline

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# donations may import crm (never the reverse): the supporter page gains its gifts here.
SupporterAdmin.inlines = [GiftInline, RecurringGiftInline, *SupporterAdmin.inlines]
SupporterAdmin.record_links = [
    ("Record a gift", "admin:donations_gift_record", "donations.add_gift"),
]
# ...and its import reads gift files too (people, gifts or both: donations.imports.any_file).
SupporterAdmin.import_kind = FILE_IMPORT
SupporterAdmin.import_task = file_import_run


SupporterAdmin.glance_sections = [supporter_profile.giving_glance]
SupporterAdmin.household_giving = staticmethod(supporter_profile.household_giving)


def _supporter_profile() -> None:
    from crm.profile import timeline

    page = supporter_profile
    timeline.SOURCES.append(({"gift"}, page.gift_entries))
    SupporterAdmin.list_queryset_hooks = [*SupporterAdmin.list_queryset_hooks, page.with_giving]
    names = SupporterAdmin.list_display
    at = names.index("consent_badge") if "consent_badge" in names else len(names)
    SupporterAdmin.list_display = [*names[:at], page.last_gift, page.lifetime, page.this_year,
                                   *names[at:]]  # fmt: skip


_supporter_profile()
