"""A refused action gets a page that says why and leads back, not a bare '403 Forbidden'."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_board_member_refused_an_export_is_told_why(board_client):
    response = board_client.get("/admin/crm/supporter/export/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have permission to do this" in page
    assert "exporting people's" in page and 'href="/admin/"' in page
