"""Changes a donor makes in their account: each saved, with a note staff see on the supporter;
consent changes recorded as crm records them; a new email applies only once the new address
confirms it."""

import pytest

from core.models import OutboxMessage, Suppression
from core.outbox.addresses import email_hash
from crm.models import ConsentEvent, Supporter
from tests.donations.account.conftest import link_in_outbox, path_of, sign_in

pytestmark = pytest.mark.django_db

ADDRESS = {
    "address-address_line1": "9 Elm St",
    "address-address_line2": "Apt 2",
    "address-city": "Albany",
    "address-region": "ny",
    "address-postal_code": "12207",
    "address-country": "US",
}


@pytest.fixture
def signed_in(client, ana):
    sign_in(client, "ana@example.org")
    return client


def notes(supporter: Supporter) -> list[str]:
    return list(supporter.notes.values_list("text", flat=True))


def test_the_donor_changes_their_address_and_staff_see_a_note(signed_in, ana):
    response = signed_in.post("/account/address/", ADDRESS, follow=True)
    assert b"Your postal address is saved." in response.content
    ana.refresh_from_db()
    assert (ana.address_line1, ana.city, ana.region, ana.postal_code) == (
        "9 Elm St", "Albany", "NY", "12207",
    )  # fmt: skip
    [note] = notes(ana)
    assert "Changed by the donor in their account: postal address" in note
    assert "9 Elm St" in note
    assert ana.history.first().history_change_reason == "Address changed by the donor"


def test_a_wrong_zip_is_explained_and_changes_nothing(signed_in, ana):
    before = ana.address_line1
    response = signed_in.post("/account/address/", {**ADDRESS, "address-postal_code": "1220"})
    assert response.status_code == 400
    assert b"Please check these details" in response.content
    assert b'href="#id_address-postal_code"' in response.content  # said at the ZIP field
    assert b'action="/account/address/#change-address"' in response.content
    ana.refresh_from_db()
    assert ana.address_line1 == before and not notes(ana)


def test_a_wrong_zip_is_explained_in_spanish_on_a_spanish_page(signed_in, ana):
    signed_in.get("/account/?lang=es")  # the language switch, remembered in its cookie
    bad = {**ADDRESS, "address-postal_code": "1220"}
    response = signed_in.post("/account/address/", bad)
    assert "Revise el código postal." in response.content.decode()


def test_a_missing_street_is_asked_for(signed_in, ana):
    response = signed_in.post("/account/address/", {**ADDRESS, "address-address_line1": ""})
    assert response.status_code == 400
    assert b"Please fill this in." in response.content


def test_the_donor_changes_their_language(signed_in, ana):
    signed_in.post("/account/language/", {"language-language": "es"})
    ana.refresh_from_db()
    assert ana.preferred_language == "es"
    assert "language English → Spanish" in notes(ana)[0]
    response = signed_in.post("/account/language/", {"language-language": "fr"})
    assert response.status_code == 400
    ana.refresh_from_db()
    assert ana.preferred_language == "es"


def test_opting_out_and_in_is_recorded_as_consent(signed_in, ana):
    ana.email_opt_in = Supporter.EmailOptIn.OPTED_IN
    ana.save()
    signed_in.post("/account/contact/", {"contact-postal_mail": "on"})  # appeals unticked
    ana.refresh_from_db()
    assert ana.email_opt_in == "opted_out" and not ana.do_not_mail
    event = ConsentEvent.objects.get(supporter=ana)
    assert (event.field, event.old_value, event.new_value) == (
        "email_opt_in", "opted_in", "opted_out",
    )  # fmt: skip
    assert event.method == ConsentEvent.Method.WEB_FORM and "Donor account" in event.source
    assert Suppression.objects.filter(email_hash=email_hash(ana.email), scope="appeals").exists()

    signed_in.post("/account/contact/", {"contact-email_appeals": "on"})  # post unticked
    ana.refresh_from_db()
    assert ana.email_opt_in == "opted_in" and ana.do_not_mail
    assert ConsentEvent.objects.filter(supporter=ana).count() == 3
    assert not Suppression.objects.filter(email_hash=email_hash(ana.email)).exists()
    assert len(notes(ana)) == 2


def test_opting_in_again_leaves_a_bounce_on_the_suppression_list(signed_in, ana):
    Suppression.objects.create(
        email_hash=email_hash(ana.email), scope="all", reason=Suppression.Reason.BOUNCED
    )
    both = {"contact-email_appeals": "on", "contact-postal_mail": "on"}
    signed_in.post("/account/contact/", both)
    assert Suppression.objects.filter(email_hash=email_hash(ana.email)).exists()


def test_a_new_email_applies_only_once_the_new_address_confirms_it(signed_in, ana, client):
    response = signed_in.post("/account/email/", {"email-new_email": "Ana.New@Example.org"})
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.email == "ana@example.org"  # not yet
    message = OutboxMessage.objects.get(kind="account-email-change")
    assert message.to_email == "ana.new@example.org"
    path = path_of(link_in_outbox("ana.new@example.org"))
    assert b"ana.new@example.org" in signed_in.get(path).content  # asks first
    ana.refresh_from_db()
    assert ana.email == "ana@example.org"

    done = signed_in.post(path)
    assert done.status_code == 200 and b"ana.new@example.org" in done.content
    ana.refresh_from_db()
    assert ana.email == "ana.new@example.org"
    assert any("email ana@example.org → ana.new@example.org" in n for n in notes(ana))
    notice = OutboxMessage.objects.get(kind="account-email-changed")
    assert notice.to_email == "ana@example.org"  # the old address hears of it
    assert (
        "ana.new@example.org" in notice.text_body and "did not make this change" in notice.text_body
    )
    assert signed_in.post(path).status_code == 409  # once only


def test_an_email_another_supporter_has_is_refused_when_confirmed(signed_in, ana, ben):
    signed_in.post("/account/email/", {"email-new_email": "ben@example.org"})
    response = signed_in.post(path_of(link_in_outbox("ben@example.org")))
    assert response.status_code == 409
    assert b"We already have this address on another record" in response.content
    ana.refresh_from_db()
    assert ana.email == "ana@example.org"
    assert any("another supporter has it" in n for n in notes(ana))


def test_the_same_or_a_bad_email_is_refused_plainly(signed_in, ana):
    same = signed_in.post("/account/email/", {"email-new_email": "ANA@example.org"})
    assert same.status_code == 400
    assert b"That is already the address we have for you." in same.content
    bad = signed_in.post("/account/email/", {"email-new_email": "ana@"})
    assert b"Enter an email address like name@example.com." in bad.content
    assert not OutboxMessage.objects.filter(kind="account-email-change").exists()


def test_the_account_page_is_in_spanish_on_asking(signed_in):
    page = signed_in.get("/account/?lang=es").content.decode()
    assert 'lang="es"' in page
    for text in ("Sus donaciones", "Sus datos", "Guardar mi dirección", "Salir"):
        assert text in page
