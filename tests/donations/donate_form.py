"""Filling in the donate page as a donor would: the nonce comes from the rendered form."""

import re


def rendered_nonce(client, url: str = "/donate/") -> str:
    page = client.get(url).content.decode()
    return re.search(r'name="nonce" value="([0-9a-f]{32})"', page).group(1)


def gift(client, url: str = "/donate/", *, nonce: str | None = None, **overrides):
    data = {
        "frequency": "once",
        "amount": "50",
        "other_amount": "",
        "first_name": "Maria",
        "last_name": "López",
        "email": "maria.lopez@example.org",
        "address_line1": "12 Main St",
        "address_line2": "",
        "city": "Bronx",
        "region": "NY",
        "postal_code": "10451",
        "country": "US",
        "tribute": "",
        "tribute_name": "",
        "tribute_notify_name": "",
        "tribute_notify_email": "",
        "website": "",
        "nonce": nonce or rendered_nonce(client, url),
        **overrides,
    }
    return client.post(url, {k: v for k, v in data.items() if v is not None})
