"""Giving online: the donate page, its form's checkout, personal links (tokens) and the
card-testing limits."""
