"""Every way a gift comes in goes through the gifts service (donations.services): the admin's
add form, the supporter page's Record a gift, a cheque batch, a gift import row and a signed
Stripe event yield the same gift, the same refusals, the same history row and summary."""

import datetime
import json
from contextlib import nullcontext
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from core import recompute
from core.models import Organisation
from crm.services import supporters_merge
from donations import services
from donations.imports.gifts import gifts_import
from donations.models import Campaign, DonorSummary, DonorYearTotal, Fund, Gift, StripeEvent
from tests.donations.stripe_events import event, post, stripe_object
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
FUTURE = timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture
def books(db, settings):
    # Tasks are only queued here, so the webhook's own queries are what is counted.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    general = Fund.objects.create(name="General", code="general", is_default=True)
    legal = Fund.objects.create(name="Legal defense", code="legal")
    spring = Campaign.objects.create(name="Spring", code="spring26", fund=legal)
    return general, legal, spring


def _add_form_data(client, url: str, **values: object) -> dict:
    form = client.get(url).context["adminform"].form
    # What the page shows before anyone types: the supporter from the link, the defaults.
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data.update(values)
    return {k: getattr(v, "pk", v) for k, v in data.items()}


def _by_admin_add(client, supporter, **values: object):
    url = "/admin/donations/gift/add/"
    data = _add_form_data(client, url, supporter=supporter.pk, **values)
    return client.post(url, data)


def _by_supporter_page(client, supporter, **values: object):
    """The profile's Record a gift: the short form (donations.gift_entry)."""
    page = client.get(f"/admin/crm/supporter/{supporter.pk}/change/").content.decode()
    url = f"/admin/donations/gift/record/?supporter={supporter.pk}"
    assert "Record a gift" in page and url in page
    form = client.get(url).context["form"]
    # What the page shows before anyone types: today, a check, the last campaign and fund.
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data.update(values)
    return client.post(url, {k: getattr(v, "pk", v) for k, v in data.items()})


def _errors(response) -> dict:
    context = response.context
    return (context["adminform"].form if "adminform" in context else context["form"]).errors


def _by_batch(client, supporter, **values: object):
    data = {
        "deposit-deposit_date": str(values.get("received_on", DAY)),
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-0-supporter": supporter.pk,
        "rows-0-amount": "250.00",
        "rows-0-received_on": str(values.get("received_on", DAY)),
        "rows-0-campaign": values.get("campaign", ""),
    }
    return client.post("/admin/donations/gift/batch/", data)


def _by_import(staff, supporter, *, received_on=DAY, method="check", description=""):
    return gifts_import(
        headers=["Email", "Amount", "Date", "Method", "Appeal code", "In-kind description"],
        rows=[[supporter.email, "250.00", str(received_on), method, "spring26", description]],
        dry_run=False,
        actor=staff,
        already_thanked=False,
    )


def _webhook_event(supporter, received_on: datetime.date = DAY) -> bytes:
    session = stripe_object(
        "checkout_session_payment",
        id=f"cs_one_way_{supporter.pk}",
        payment_intent=f"pi_one_way_{supporter.pk}",
        amount_total=25000,
        created=int(
            datetime.datetime.combine(
                received_on, datetime.time(12), tzinfo=ZoneInfo(django_settings.TIME_ZONE)
            ).timestamp()
        ),
        metadata={"appeal_code": "spring26", "supporter_id": str(supporter.pk)},
    )
    return event("checkout.session.completed", session)


def _by_webhook(client, payload: bytes, django_assert_max_num_queries=None):
    """The webhook stores the event with its processing task; then what the worker does with
    that task. With the query counter, each side's statements are counted."""
    from donations.tasks import stripe_event_run

    with django_assert_max_num_queries(4) if django_assert_max_num_queries else nullcontext():
        response = post(client, payload)
    assert response.status_code == 200
    stored = StripeEvent.objects.get(event_id=json.loads(payload)["id"])
    with django_assert_max_num_queries(18) if django_assert_max_num_queries else nullcontext():
        stripe_event_run.call(stored.event_id)
    return response


def _ledger(gift: Gift) -> tuple:
    return (gift.amount, gift.received_on, gift.status, gift.fund_id, gift.campaign_id,
            gift.appeal_code)  # fmt: skip


def test_every_way_in_records_the_same_gift_history_and_summary(
    client, staff, books, django_assert_max_num_queries
):
    general, legal, spring = books
    client.force_login(staff)
    donors = {way: SupporterFactory() for way in ("add", "page", "batch", "import", "stripe")}
    # The admin's form: an appeal code alone names the campaign, whose fund the gift takes.
    response = _by_admin_add(
        client, donors["add"], amount="250.00", received_on=DAY, method="cheque",
        appeal_code="spring26", fund="", campaign="",
    )  # fmt: skip
    assert response.status_code == 302, _errors(response)
    response = _by_supporter_page(
        client, donors["page"], amount="250.00", received_on=DAY, method="cash",
        campaign=spring.pk, fund="", appeal_code="",
    )  # fmt: skip
    assert response.status_code == 302, _errors(response)
    assert _by_batch(client, donors["batch"], campaign=spring.pk).status_code == 302
    assert _by_import(staff, donors["import"]).written
    client.logout()
    # Warm the webhook's remembered reference rows, as a running site has them.
    _by_webhook(client, _webhook_event(SupporterFactory(email="warm@example.org")))
    # The webhook: its INSERT and its task's, in one transaction. The worker's run: 17 before
    # the gifts service; one more since the gift also takes its Stripe fee (payouts).
    _by_webhook(client, _webhook_event(donors["stripe"]), django_assert_max_num_queries)

    reasons = {"add": "Recorded by staff", "page": "Recorded by staff", "batch": "Check batch",
               "import": "Imported", "stripe": "Stripe"}  # fmt: skip
    for way, donor in donors.items():
        gift = Gift.objects.get(supporter=donor)
        assert _ledger(gift) == (Decimal("250.00"), DAY, "succeeded", legal.pk, spring.pk,
                                 "spring26"), way  # fmt: skip
        recorder = None if way == "stripe" else staff
        assert gift.recorded_by == recorder, way
        [row] = gift.history.all()
        assert (row.history_type, row.history_user, row.history_change_reason) == (
            "+",
            recorder,
            reasons[way],
        ), way
        assert (row.amount, row.fund_id, row.campaign_id, row.appeal_code) == (
            gift.amount,
            legal.pk,
            spring.pk,
            "spring26",
        ), way
        summary = DonorSummary.objects.get(supporter=donor)
        assert (summary.lifetime_total, summary.gift_count, summary.first_gift_on) == (
            Decimal("250.00"),
            1,
            DAY,
        ), way
        year = DonorYearTotal.objects.get(supporter=donor)
        assert (year.fiscal_year, year.total) == (2026, Decimal("250.00")), way


def test_a_gift_dated_in_the_future_is_refused_every_way_in(client, staff, books):
    client.force_login(staff)
    donor = SupporterFactory()
    said = f"{FUTURE:%Y-%m-%d} is in the future."
    for enter in (_by_admin_add, _by_supporter_page):
        response = enter(client, donor, amount="250.00", received_on=FUTURE, method="cheque")
        assert response.status_code in (200, 400)
        assert _errors(response)["received_on"] == [said]
    response = _by_batch(client, donor, received_on=FUTURE)
    assert said in response.content.decode()
    report = _by_import(staff, donor, received_on=FUTURE)
    assert not report.written and report.rows[0].errors["received_on"] == [said]
    with pytest.raises(services.ValidationError) as refused:
        services.gift_record(
            entry=services.GiftEntry(supporter=donor, amount=Decimal(5), received_on=FUTURE)
        )
    assert refused.value.message_dict["received_on"] == [said]
    client.logout()
    _by_webhook(client, _webhook_event(donor, received_on=FUTURE))
    assert StripeEvent.objects.get().attention  # kept for a person, not retried
    assert Gift.objects.count() == 0


def test_an_in_kind_gift_needs_a_description_every_way_in(client, staff, books):
    client.force_login(staff)
    donor = SupporterFactory()
    said = "An in-kind gift needs a description of what was given."
    response = _by_admin_add(client, donor, amount="80.00", received_on=DAY, method="in_kind")
    assert response.context["adminform"].form.errors["in_kind_description"] == [said]
    report = _by_import(staff, donor, method="in kind")
    assert report.rows[0].errors["in_kind_description"] == [said]
    entry = services.GiftEntry(supporter=donor, amount=Decimal(5), received_on=DAY,
                               method="in_kind")  # fmt: skip
    with pytest.raises(services.ValidationError):
        services.gifts_record(entries=[entry])
    assert Gift.objects.count() == 0
    response = _by_admin_add(
        client, donor, amount="80.00", received_on=DAY, method="in_kind",
        in_kind_description="Forty winter coats",
    )  # fmt: skip
    assert response.status_code == 302
    assert Gift.objects.get().fund.code == "general"  # no campaign: the default fund


def test_admin_delete_and_change_go_through_the_service(client, staff, books):
    client.force_login(staff)
    donor = SupporterFactory()
    kept, typo, duplicate = (
        services.gift_record(
            entry=services.GiftEntry(supporter=donor, amount=Decimal(n), received_on=DAY)
        )
        for n in (40, 400, 4000)
    )
    response = client.post(f"/admin/donations/gift/{typo.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert DonorSummary.objects.get(supporter=donor).lifetime_total == Decimal("4040.00")
    response = client.post(
        "/admin/donations/gift/",
        {"action": "delete_selected", "_selected_action": [duplicate.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert DonorSummary.objects.get(supporter=donor).lifetime_total == Decimal("40.00")
    deletions = Gift.history.filter(history_type="-")
    assert {(r.id, r.history_user) for r in deletions} == {(typo.pk, staff), (duplicate.pk, staff)}
    # A change is refused by the same rules as a new gift.
    form = client.get(f"/admin/donations/gift/{kept.pk}/change/").context["adminform"].form
    data = {k: getattr(v, "pk", v) for k, v in form.initial.items()
            if v is not None and k in form.fields}  # fmt: skip
    response = client.post(
        f"/admin/donations/gift/{kept.pk}/change/", {**data, "received_on": str(FUTURE)}
    )
    assert response.status_code == 200 and Gift.objects.get(pk=kept.pk).received_on == DAY


def test_a_fiscal_year_change_in_the_organisation_admin_rebuilds_summaries(
    admin_client, django_capture_on_commit_callbacks
):
    # Nothing listens to Organisation saves for it any more: the admin calls the service.
    assert not pre_save.has_listeners(Organisation)
    listeners = {f"{r.__module__}.{r.__name__}" for r in post_save._live_receivers(Organisation)[0]}
    assert listeners <= {"donations.reference._forget_on_change"}
    assert [f.__name__ for f in recompute.fiscal_year_moved.registered] == [
        "_rebuild_summaries_after_commit"
    ]
    donor = SupporterFactory()
    services.gift_record(
        entry=services.GiftEntry(
            supporter=donor, amount=Decimal(100), received_on=datetime.date(2025, 8, 1)
        )
    )
    assert list(DonorYearTotal.objects.values_list("fiscal_year", flat=True)) == [2025]
    organisation = Organisation.current()
    url = f"/admin/core/organisation/{organisation.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    # What the page's fields hold, as a browser would post them back.
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {**data, "fiscal_year_start_month": 7, "logo": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    # August 2025 now falls in the fiscal year that starts in July 2025: FY2026.
    assert list(DonorYearTotal.objects.values_list("fiscal_year", flat=True)) == [2026]


def test_a_merge_refreshes_the_survivors_summary_by_an_explicit_call(books):
    import crm.signals

    assert not hasattr(crm.signals, "supporters_merged")
    assert [f.__name__ for f in recompute.supporters_merged.registered] == ["_refresh_after_merge"]
    survivor, other = SupporterFactory(), SupporterFactory()
    for donor in (survivor, other):
        services.gift_record(
            entry=services.GiftEntry(supporter=donor, amount=Decimal(30), received_on=DAY)
        )
    supporters_merge(survivor=survivor, other=other)
    summary = DonorSummary.objects.get(supporter=survivor)
    assert (summary.lifetime_total, summary.gift_count) == (Decimal("60.00"), 2)


def test_stripe_sync_and_the_webhook_store_identical_inbox_rows(client, books, settings):
    from donations.stripe import inbox as stripe_events

    payload = _webhook_event(SupporterFactory())
    columns = ["event_id", "type", "payload", "livemode", "attempts", "error", "attention"]
    spy = mock.Mock(wraps=stripe_events.stripe_event_insert)
    with mock.patch.object(stripe_events, "stripe_event_insert", spy):
        _by_webhook(client, payload)  # stored, then processed by the worker's task
    by_webhook = StripeEvent.objects.values(*columns).get()
    StripeEvent.objects.all().delete()
    Gift.objects.all().delete()

    page = {"object": "list", "data": [json.loads(payload)], "has_more": False}
    with (
        mock.patch("donations.stripe.client.list_events", autospec=True, return_value=page),
        mock.patch.object(stripe_events, "stripe_event_insert", spy),
    ):
        call_command("stripe_sync", "--since", "2026-01-01")  # stored and processed at once
    by_sync = StripeEvent.objects.values(*columns).get()
    assert by_sync == by_webhook and by_sync["attempts"] == 1
    assert StripeEvent.objects.get().processed_at is not None
    assert spy.call_count == 2, "one INSERT stores for both"
    assert Gift.objects.count() == 1


def test_the_import_preview_shows_the_campaign_an_appeal_code_names(staff, books):
    from donations.imports.resources import PREVIEW_HEADERS, _cells

    report = gifts_import(
        headers=["Email", "Amount", "Date", "Appeal code"],
        rows=[[SupporterFactory().email, "250.00", str(DAY), "spring26"]],
        dry_run=True,
    )
    cells = dict(zip(PREVIEW_HEADERS, _cells(report.rows[0], method_given=False,
                                             default_fund=books[0]), strict=True))  # fmt: skip
    assert cells["Campaign"]["parts"] == [{"text": "spring26", "note": "the appeal code's"}]
    assert cells["Fund"]["parts"] == [{"text": "legal", "note": "the campaign's"}]
