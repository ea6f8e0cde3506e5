"""Gift entry in seconds: the supporter profile's short "Record a gift" form (forms, views) and
the gift list's total of what is filtered (listing). Every gift is still written by the gifts
service (donations.services.gift_record), by its rules."""
