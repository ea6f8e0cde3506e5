"""Households (a room of crm): supporters at one address grouped for one letter, with a
household greeting and envelope name. models: crm.models.households; here the services,
the reads the profile's household panel makes, its views and the Household admin."""
