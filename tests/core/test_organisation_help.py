"""The organization settings show their examples: the sender's address in angle brackets is
printed, not swallowed by the browser as a tag, and the postal address example keeps its lines,
for staff who edit the settings and for the board who only read them."""

import pytest

pytestmark = pytest.mark.django_db
URL = "/admin/core/organisation/1/change/"
SENDER = "Immigrant Justice Project &lt;giving@example.org&gt;"
ADDRESS = "one line each, e.g.<br>220 Broadway, Suite 1400<br>New York, NY 10038"


def test_staff_see_the_example_addresses(admin_client):
    page = admin_client.get(URL, follow=True).content.decode()
    assert 'name="default_sender"' in page
    assert SENDER in page and ADDRESS in page
    assert "<giving@example.org>" not in page


def test_the_board_reading_the_settings_sees_them_too(board_client):
    page = board_client.get(URL, follow=True).content.decode()
    assert 'name="default_sender"' not in page, "read only"
    assert SENDER in page and ADDRESS in page
    assert "<giving@example.org>" not in page
