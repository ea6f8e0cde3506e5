"""The organisation's donor-facing settings in the admin: whether the donate page asks for an
address (off unless staff turn it on) and the From line for Spanish readers."""

import pytest

from core.models import Organisation
from tests.core.test_giving_levels import URL, _form

pytestmark = pytest.mark.django_db


def test_staff_turn_on_the_address_and_name_the_spanish_sender(staff_client, client):
    assert Organisation.current().donate_page_asks_address is False
    html = staff_client.get(URL).content.decode()
    assert 'name="donate_page_asks_address"' in html
    assert "Stripe&#x27;s payment page already takes" in html or "Stripe's payment page" in html
    response = staff_client.post(
        URL,
        _form(
            donate_page_asks_address="on",
            default_sender_es="Proyecto de Justicia Inmigrante <giving@example.org>",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation = Organisation.current()
    assert organisation.donate_page_asks_address is True
    assert organisation.sender_for("es") == "Proyecto de Justicia Inmigrante <giving@example.org>"
    assert 'name="address_line1"' in client.get("/donate/").content.decode()
