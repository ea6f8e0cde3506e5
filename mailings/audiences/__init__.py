"""Audiences: saved, named sets of supporters, chosen by criteria and worked out afresh each
time they are used (models, criteria, selectors, the editor in the admin)."""
