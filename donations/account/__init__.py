"""The donor account at /account/: sign-in by a one-time emailed link (links, limits,
session), what a signed-in donor sees (selectors) and the changes they make (preferences)."""
