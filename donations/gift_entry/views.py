"""The "Record a gift" screen (GiftAdmin routes it): the short form for one supporter's gift,
saved by the gifts service, then back to the supporter's profile with a message."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from core.dates import day_text
from core.money import money_text
from crm.models import Supporter
from donations.deposits.batch.selectors import LIMIT as DONOR_SEARCH_LIMIT
from donations.deposits.batch.selectors import donor_search
from donations.gift_entry.forms import SHOWN_FOR, GiftEntryForm
from donations.models import Gift
from donations.services import gift_record

TEMPLATE = "admin/donations/gift/record.html"


def _recorded(gift: Gift, supporter: Supporter) -> str:
    method, day = gift.get_method_display().lower(), day_text(gift.received_on)
    return f"Recorded {money_text(gift.amount)} by {method} from {supporter} on {day}."


def _who_gave(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """The first step when no donor is named: find them (the batch screen's donor search:
    city, part of the email and last gift tell two people of one name apart)."""
    if not request.user.has_perm("crm.view_supporter"):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()[:100]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Record a gift",
        "query": query,
        "found": donor_search(query) if query else [],
        "limit": DONOR_SEARCH_LIMIT,
    }
    return TemplateResponse(request, "admin/donations/gift/record_who.html", context)


def gift_record_entry(model_admin: admin.ModelAdmin) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        supporter_id = request.GET.get("supporter", "")
        if not supporter_id.isdigit():
            return _who_gave(model_admin, request)  # no donor named (the staff home's button)
        supporter = get_object_or_404(Supporter, pk=int(supporter_id))
        form = GiftEntryForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                gift = gift_record(
                    entry=form.entry_for(supporter=supporter), recorded_by=request.user
                )
            except ValidationError as exc:
                for name, problems in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(request, _recorded(gift, supporter))
                if "_another" in request.POST:
                    return redirect(request.get_full_path())
                return redirect("admin:crm_supporter_change", supporter.pk)
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Gift._meta,
            "title": f"Record a gift from {supporter}",
            "supporter": supporter,
            "form": form,
            "rows": [(form[name], SHOWN_FOR.get(name, "")) for name in form.fields],
            "full_form_url": f"{reverse('admin:donations_gift_add')}?supporter={supporter.pk}",
            "giving": getattr(supporter, "giving", None),
        }
        status = 400 if form.is_bound else 200
        return TemplateResponse(request, TEMPLATE, context, status=status)

    return view


def gift_record_url(model_admin: admin.ModelAdmin) -> URLPattern:
    """GiftAdmin's route to this screen: admin:donations_gift_record."""
    view = model_admin.admin_site.admin_view(gift_record_entry(model_admin))
    return path("record/", view, name="donations_gift_record")
