import pytest

from crm.models import ConsentEvent, Supporter
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/crm/supporter/add/"


def form_data(**overrides):
    data = {
        "kind": "person",
        "first_name": "Maria",
        "last_name": "Lopez",
        "email": "Maria@Example.org",
        "address_line1": "1 Main St",
        "city": "Bronx",
        "region": "NY",
        "postal_code": "10451",
        "country": "US",
        "preferred_language": "es",
        "email_opt_in": "unknown",
        "notes-TOTAL_FORMS": "1",
        "notes-INITIAL_FORMS": "0",
        "notes-0-text": "",
        "consent_events-TOTAL_FORMS": "0",
        # The gift and plan lists on the page are read-only inlines: empty formsets.
        "gifts-TOTAL_FORMS": "0",
        "gifts-INITIAL_FORMS": "0",
        "plans-TOTAL_FORMS": "0",
        "plans-INITIAL_FORMS": "0",
        "consent_events-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_staff_adds_a_supporter_with_a_note(staff_client, staff):
    response = staff_client.post(ADD_URL, form_data(**{"notes-0-text": "Met at the clinic"}))
    assert response.status_code == 302, response.context["adminform"].form.errors
    maria = Supporter.objects.get()
    assert maria.email == "maria@example.org", "emails are stored lower-cased"
    assert maria.notes.get().author == staff
    assert maria.history.get().history_user == staff


def test_an_email_already_on_file_in_other_case_is_refused(staff_client):
    SupporterFactory(email="maria@example.org")
    response = staff_client.post(ADD_URL, form_data(email="MARIA@example.org"))
    assert response.status_code == 200
    assert b"Another supporter already has this email address." in response.content
    assert Supporter.objects.count() == 1


def test_a_us_address_with_a_bad_state_or_zip_is_refused(staff_client):
    response = staff_client.post(ADD_URL, form_data(region="Nowhere", postal_code="1234"))
    text = response.content.decode()
    assert "is not a US state" in text and "is not a US ZIP code" in text
    assert Supporter.objects.count() == 0


def test_opting_someone_in_needs_to_say_how(staff_client):
    response = staff_client.post(ADD_URL, form_data(email_opt_in="opted_in"))
    assert b"Say how this person gave consent to email." in response.content
    assert Supporter.objects.count() == 0


def test_a_consent_change_is_recorded_with_who_when_how_and_what(staff_client, staff):
    supporter = SupporterFactory()
    url = f"/admin/crm/supporter/{supporter.pk}/change/"
    data = form_data(
        email=supporter.email,
        email_opt_in="opted_in",
        do_not_mail="on",
        consent_source="Said yes on the phone, 3 March",
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302
    events = {e.field: e for e in ConsentEvent.objects.all()}
    assert set(events) == {"email_opt_in", "do_not_mail"}
    opt_in = events["email_opt_in"]
    assert (opt_in.old_value, opt_in.new_value) == ("unknown", "opted_in")
    assert (opt_in.method, opt_in.actor) == ("staff", staff)
    assert opt_in.source == "Said yes on the phone, 3 March"


def test_the_supporter_page_shows_greeting_consent_and_history(staff_client):
    supporter = SupporterFactory(
        first_name="Maria", last_name="Lopez", partner_first_name="Ana", partner_last_name="Ruiz"
    )
    supporter.city = "Yonkers"
    supporter.save()
    page = staff_client.get(f"/admin/crm/supporter/{supporter.pk}/change/").content.decode()
    assert "Dear Maria and Ana," in page
    assert "Maria Lopez and Ana Ruiz" in page
    assert "Recent changes" in page and "New York → Yonkers" in page


@pytest.mark.parametrize("term", ["lopez", "maria@example.org", "10451", "Casa"])
def test_staff_find_supporters_by_name_email_postal_code(staff_client, term):
    SupporterFactory(
        first_name="Maria", last_name="Lopez", email="maria@example.org", postal_code="10451"
    )
    SupporterFactory(
        kind="organisation",
        organisation_name="Casa Esperanza",
        first_name="",
        last_name="",
        email="casa@example.org",
        postal_code="10451",
    )
    SupporterFactory(first_name="Someone", last_name="Else", postal_code="90210")
    page = staff_client.get("/admin/crm/supporter/", {"q": term})
    names = [str(s) for s in page.context["cl"].result_list]
    assert names and "Someone Else" not in names


def test_staff_filter_by_tag_consent_and_language(staff_client):
    spanish = SupporterFactory(preferred_language="es", email_opt_in="opted_in")
    SupporterFactory(preferred_language="en")
    page = staff_client.get(
        "/admin/crm/supporter/",
        {"preferred_language__exact": "es", "email_opt_in__exact": "opted_in"},
    )
    assert list(page.context["cl"].result_list) == [spanish]


@pytest.mark.parametrize("term", ["garcia", "jose garcia", "GARCÍA"])
def test_search_ignores_accents_and_finds_full_names(staff_client, term):
    SupporterFactory(first_name="José", last_name="García", email="")
    page = staff_client.get("/admin/crm/supporter/", {"q": term})
    assert [str(s) for s in page.context["cl"].result_list] == ["José García"]


def test_a_five_digit_zip_finds_zip_plus_four(staff_client):
    SupporterFactory(first_name="Zip", last_name="Four", postal_code="10002-1234")
    page = staff_client.get("/admin/crm/supporter/", {"q": "10002"})
    assert [str(s) for s in page.context["cl"].result_list] == ["Zip Four"]


def test_a_canadian_address_is_stored_in_its_printed_form(staff_client):
    montreal = {"address_line1": "123 Rue Saint-Denis", "city": "Montréal", "country": "CA"}
    response = staff_client.post(
        ADD_URL, form_data(**montreal, region="Québec", postal_code="h2x1y4")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    maria = Supporter.objects.get()
    assert (maria.region, maria.postal_code, maria.country) == ("QC", "H2X 1Y4", "CA")


def test_a_bad_canadian_postal_code_is_a_field_error(staff_client):
    response = staff_client.post(
        ADD_URL, form_data(city="Montréal", country="CA", region="QC", postal_code="H2X")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["postal_code"] == [
        "'H2X' is not a Canadian postal code (like H3Z 2Y7 or V8X 3X4)."
    ]
    assert Supporter.objects.count() == 0


def test_an_edited_address_missing_what_its_post_needs_is_refused(staff_client):
    response = staff_client.post(
        ADD_URL, form_data(city="London", country="GB", region="", postal_code="")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["postal_code"] == ["A UK address needs a postal code."]
