import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from donations.models import Campaign, DonorSummary, DonorYearTotal, Fund, Gift
from donations.services import GiftEntry, gift_record, gifts_record_batch
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def general(db):
    return Fund.objects.create(name="General", code="general", is_default=True)


def test_a_cheque_is_recorded_with_its_campaign_fund_and_summary(staff, general):
    legal = Fund.objects.create(name="Legal defense", code="legal")
    spring = Campaign.objects.create(name="Spring", code="spring26", fund=legal)
    maria = SupporterFactory()
    gift = gift_record(
        entry=GiftEntry(
            supporter=maria,
            amount=Decimal("250.00"),
            received_on=datetime.date(2026, 3, 2),
            cheque_number=" 1042 ",
            campaign=spring,
        ),
        recorded_by=staff,
    )
    assert (gift.fund, gift.appeal_code, gift.cheque_number) == (legal, "spring26", "1042")
    assert gift.recorded_by == staff and gift.status == "succeeded"
    summary = DonorSummary.objects.get(supporter=maria)
    assert summary.lifetime_total == Decimal("250.00") and summary.highest_gift == Decimal("250")
    assert DonorYearTotal.objects.get(supporter=maria).fiscal_year == 2026


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"method": "in_kind"}, "in_kind_description"),
        ({"received_on": timezone.localdate() + datetime.timedelta(days=30)}, "received_on"),
    ],
)
def test_a_bad_gift_is_refused_with_a_reason(general, overrides, field):
    entry = GiftEntry(
        **{
            "supporter": SupporterFactory(),
            "amount": Decimal("10"),
            "received_on": datetime.date(2026, 1, 1),
            **overrides,
        }
    )
    with pytest.raises(ValidationError) as error:
        gift_record(entry=entry)
    assert field in error.value.message_dict
    assert Gift.objects.count() == 0


def test_a_batch_is_all_or_nothing(general):
    good = GiftEntry(
        supporter=SupporterFactory(), amount=Decimal("20"), received_on=datetime.date(2026, 1, 1)
    )
    bad = GiftEntry(
        supporter=SupporterFactory(), amount=Decimal("-5"), received_on=datetime.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError):
        gifts_record_batch(entries=[good, bad], deposit_date=datetime.date(2026, 1, 2))
    assert Gift.objects.count() == 0


def test_staff_enter_a_batch_of_cheques_on_one_screen(staff_client, general):
    a, b = SupporterFactory(), SupporterFactory()
    page = staff_client.get("/admin/donations/gift/batch/")
    assert page.status_code == 200 and b"Running total" in page.content
    data = {
        "deposit-deposit_date": "2026-03-03",
        "deposit-expected_total": "175.00",
        "rows-TOTAL_FORMS": "3",
        "rows-INITIAL_FORMS": "0",
        "rows-0-supporter": a.pk,
        "rows-0-amount": "100",
        "rows-0-cheque_number": "501",
        "rows-0-received_on": "2026-03-01",
        "rows-1-supporter": b.pk,
        "rows-1-amount": "75",
        "rows-1-cheque_number": "9",
        "rows-1-received_on": "2026-03-02",
    }
    response = staff_client.post("/admin/donations/gift/batch/", data)
    assert response.status_code == 302
    assert sorted(Gift.objects.values_list("amount", "deposit_date", "method")) == [
        (Decimal("75.00"), datetime.date(2026, 3, 3), "cheque"),
        (Decimal("100.00"), datetime.date(2026, 3, 3), "cheque"),
    ]


def test_a_batch_that_does_not_match_the_deposit_slip_is_refused(staff_client, general):
    a = SupporterFactory()
    data = {
        "deposit-deposit_date": "2026-03-03",
        "deposit-expected_total": "999",
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-0-supporter": a.pk,
        "rows-0-amount": "100",
        "rows-0-received_on": "2026-03-01",
    }
    response = staff_client.post("/admin/donations/gift/batch/", data)
    assert b"The rows add up to $100.00, not $999.00." in response.content
    assert Gift.objects.count() == 0


def test_board_member_cannot_open_the_batch_screen(board_client):
    assert board_client.get("/admin/donations/gift/batch/").status_code == 403


def test_the_supporter_page_lists_gifts_and_offers_to_record_one(staff_client, general):
    maria = SupporterFactory()
    gift_record(
        entry=GiftEntry(
            supporter=maria, amount=Decimal("40"), received_on=datetime.date(2026, 2, 1)
        )
    )
    page = staff_client.get(f"/admin/crm/supporter/{maria.pk}/change/").content.decode()
    assert "Record a gift" in page and f"/admin/donations/gift/record/?supporter={maria.pk}" in page
    assert "40.00" in page


def test_editing_a_gift_in_the_admin_keeps_the_summary_true(staff_client, general):
    maria = SupporterFactory()
    gift = gift_record(
        entry=GiftEntry(
            supporter=maria, amount=Decimal("40"), received_on=datetime.date(2026, 2, 1)
        )
    )
    form = staff_client.get(f"/admin/donations/gift/{gift.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(amount="60.00", supporter=maria.pk, fund=general.pk, received_on="2026-02-01")
    response = staff_client.post(f"/admin/donations/gift/{gift.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert DonorSummary.objects.get(supporter=maria).lifetime_total == Decimal("60.00")


def test_the_supporters_page_shows_their_giving_at_a_glance(staff_client):
    import datetime

    from donations.models import Gift, RecurringGift
    from donations.summary import donor_summaries_refresh
    from tests.factories import SupporterFactory

    donor = SupporterFactory()
    today = timezone.localdate()
    for amount, days_ago in (("1250", 3), ("40", 400)):
        Gift.objects.create(
            supporter=donor, amount=amount, method="cheque", acknowledgement="pending",
            received_on=today - datetime.timedelta(days=days_ago),
        )  # fmt: skip
    RecurringGift.objects.create(supporter=donor, amount=25, status="active")
    donor_summaries_refresh(supporter_ids=[donor.pk])
    page = staff_client.get(f"/admin/crm/supporter/{donor.pk}/change/").content.decode()
    glance = page[page.index('id="giving-summary"') :]
    assert "$1,290.00" in glance and "in 2 gifts" in glance
    assert "$1,250.00" in glance and "$25.00 / monthly" in glance
    assert "2 gifts not yet thanked" in glance


def test_moving_the_fiscal_year_start_regroups_every_donors_year_totals(
    django_capture_on_commit_callbacks,
):
    import datetime

    from core.models import Organisation
    from donations.models import DonorYearTotal, Gift
    from donations.summary import donor_summaries_refresh
    from tests.factories import SupporterFactory

    donor = SupporterFactory()
    Gift.objects.create(
        supporter=donor, amount=100, method="cash", received_on=datetime.date(2025, 8, 1)
    )
    donor_summaries_refresh(supporter_ids=[donor.pk])
    assert list(DonorYearTotal.objects.values_list("fiscal_year", flat=True)) == [2025]
    from core.services import organisation_update

    organisation = Organisation.current()
    with django_capture_on_commit_callbacks(execute=True):
        # July: August 2025 is in fiscal year 2026
        organisation_update(organisation=organisation, changes={"fiscal_year_start_month": 7})
    assert list(DonorYearTotal.objects.values_list("fiscal_year", flat=True)) == [2026]


def test_the_rebuild_command_recomputes_every_summary():
    import datetime

    from django.core.management import call_command

    from donations.models import DonorSummary, Gift
    from tests.factories import SupporterFactory

    donor = SupporterFactory()
    Gift.objects.create(
        supporter=donor, amount=30, method="cash", received_on=datetime.date(2025, 8, 1)
    )
    assert not DonorSummary.objects.exists(), "a direct insert skips the summary"
    call_command("rebuild_donor_summaries")
    assert DonorSummary.objects.get(supporter=donor).lifetime_total == 30
