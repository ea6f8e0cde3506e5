"""Supporters, their notes and consent history, and the record of merges (tags: crm.models.tags)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.urls import reverse

from core.history_records import CreationAwareHistoricalRecords
from core.outbox.addresses import email_hash
from crm import addresses, greetings, matching
from crm.models.tags import Tag


class Supporter(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organization"  # stored value kept

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        SPANISH = "es", "Spanish"

    class ProspectStage(models.TextChoices):
        NONE = "", "Not a prospect"
        IDENTIFY = "identify", "Identify"
        CULTIVATE = "cultivate", "Cultivate"
        SOLICIT = "solicit", "Solicit"
        STEWARD = "steward", "Steward"

    class EmailOptIn(models.TextChoices):
        UNKNOWN = "unknown", "Not asked"
        OPTED_IN = "opted_in", "Opted in"
        OPTED_OUT = "opted_out", "Opted out"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERSON)
    title = models.CharField(max_length=20, blank=True, help_text="Ms., Mr., Mx., Dr., Rev. ...")
    first_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    suffix = models.CharField(max_length=20, blank=True, help_text="Jr., Sr., III, PhD ...")
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="What they like to be called, e.g. 'Bob' for Robert."
    )
    partner_title = models.CharField(max_length=20, blank=True)
    partner_first_name = models.CharField(
        max_length=100, blank=True, help_text="For couples who give together."
    )
    partner_last_name = models.CharField(
        max_length=100, blank=True, help_text="Leave blank if the couple share a surname."
    )
    organisation_name = models.CharField(
        "organization name",
        max_length=200,
        blank=True,
        help_text="For an organization, its name; for a person, where they work (optional).",
    )
    salutation = models.CharField(
        max_length=200,
        blank=True,
        help_text="Informal greeting after 'Dear'. Leave blank to use the suggested one.",
    )
    formal_salutation = models.CharField(
        max_length=200,
        blank=True,
        help_text="Formal greeting. Leave blank to use the suggested one.",
    )
    addressee = models.CharField(
        max_length=200,
        blank=True,
        help_text="Name on envelopes and receipts. Leave blank to use the suggested one.",
    )

    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    phone_2 = models.CharField("other phone", max_length=40, blank=True)
    address_line1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(
        "state / region", max_length=100, blank=True, help_text="Two-letter code in the US."
    )
    postal_code = models.CharField("ZIP / postal code", max_length=20, blank=True)
    country = models.CharField(
        max_length=2, default="US", help_text="Two-letter country code (US, MX, GB ...)."
    )

    preferred_language = models.CharField(
        max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="supporters")
    source = models.CharField(
        max_length=100, blank=True, help_text="How they first reached us: event, website, import."
    )
    deceased = models.BooleanField(default=False)
    # One letter per household in print mailings (crm.models.households); blank for most,
    # so its index (Meta.indexes) holds only the records that have one.
    household = models.ForeignKey(
        "crm.Household",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        db_index=False,
    )
    # Moves management for major-donor prospects (crm.models.moves holds the steps taken).
    prospect_stage = models.CharField(
        "prospect stage", max_length=10, choices=ProspectStage.choices, blank=True, default=""
    )
    ask_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="What we plan to ask them for, when they are a major-gift prospect.",
    )

    email_opt_in = models.CharField(
        max_length=10, choices=EmailOptIn.choices, default=EmailOptIn.UNKNOWN
    )
    do_not_email = models.BooleanField(default=False)
    do_not_mail = models.BooleanField(default=False)
    do_not_contact = models.BooleanField(
        default=False, help_text="No email, post, or calls of any kind."
    )

    # Normalised keys for matching imports and finding duplicates; derived from the
    # fields above by crm.matching and refreshed on every save.
    match_email = models.CharField(max_length=254, blank=True, editable=False)
    # core.outbox.addresses.email_hash of the email: how the suppression list knows the address.
    email_hash = models.CharField(max_length=64, blank=True, editable=False)
    match_name = models.CharField(max_length=200, blank=True, editable=False)
    match_postal = models.CharField(max_length=20, blank=True, editable=False)
    match_phone = models.CharField(max_length=20, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The history is read record by record (its `id` index), the tags' snapshot rows by their
    # history row: other indexes would only slow every write, most of all an import's.
    history = CreationAwareHistoricalRecords(
        excluded_fields=["updated_at"],
        m2m_fields=[tags],
        no_db_index=["email_hash", "household", "supporter", "tag"],  # tag snapshot: the last 2
    )

    class Meta:
        # Export carries emails, phones and addresses away in a file: staff only (see
        # IMPORT_EXPORT_EXPORT_PERMISSION_CODE); viewing a record does not grant it.
        permissions = [("export_supporter", "Can export supporters' personal data")]
        # People by surname, organisations by name, in one alphabetical list.
        ordering = [
            Coalesce(NullIf("last_name", Value("")), "organisation_name").asc(),
            "first_name",
            "pk",
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="supporter_email_ci_unique",
                violation_error_message="Another supporter already has this email address.",
            ),
        ]
        indexes = [
            # Duplicate finder and import matching (email, then name + postal code).
            models.Index(fields=["match_email"], name="supporter_match_email"),
            # Postal code first: the same index answers the name + postal pairs and the
            # profile's housemates, "also at this address" (crm.households.selectors), by
            # postal code alone. One index fewer for every supporter an import writes.
            models.Index(fields=["match_postal", "match_name"], name="supporter_match_postal_name"),
            models.Index(fields=["match_name", "match_phone"], name="supporter_match_name_phone"),
            # Import matching by email (stored lower-cased; the unique index is on Lower()).
            models.Index(fields=["email"], name="supporter_email"),
            # The supporter list's first page in its default order (Meta.ordering, the same
            # expression), read from the index instead of sorting every supporter.
            models.Index(
                Coalesce(NullIf("last_name", Value("")), "organisation_name"),
                F("first_name"),
                F("id"),
                name="supporter_list_order",
            ),
            # The list's country filter (the distinct countries) from the index alone.
            models.Index(fields=["country"], name="supporter_country"),
            # Mailing audiences leave out suppressed addresses by their hash. A plain index:
            # db_index on a text column would add a second, LIKE-only one on PostgreSQL.
            models.Index(fields=["email_hash"], name="supporter_email_hash"),
            # A household's members; the many with none are left out (Supporter.household).
            models.Index(
                fields=["household"],
                condition=Q(household__isnull=False),
                name="supporter_household",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or f"Supporter #{self.pk}"

    def save(self, *args, **kwargs) -> None:
        # Derived keys, not business rules: they must never drift from the fields.
        self.email = matching.clean_email(self.email)
        self.refresh_match_keys()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:crm_supporter_change", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.email = matching.clean_email(self.email)
        self.country = (self.country or addresses.home_country()).strip().upper()
        if self.kind == self.Kind.ORGANISATION and not self.organisation_name.strip():
            errors["organisation_name"] = "An organization needs a name."
        if self.kind == self.Kind.PERSON and not (
            self.first_name.strip() or self.last_name.strip()
        ):
            errors["last_name"] = "Give at least a first or a last name."
        address = addresses.normalise(
            country=self.country, region=self.region, postal_code=self.postal_code
        )
        self.region, self.postal_code = address.region, address.postal_code
        errors.update(address.errors)
        if errors:
            raise ValidationError(errors)

    def refresh_match_keys(self) -> None:
        keys = matching.match_keys(
            email=self.email,
            first_name=self.first_name,
            last_name=self.last_name,
            organisation_name=self.organisation_name,
            kind=self.kind,
            postal_code=self.postal_code,
            phone=self.phone,
            country=self.country,
            phone_2=self.phone_2,
        )
        self.match_email, self.match_name, self.match_postal, self.match_phone = keys
        self.email_hash = email_hash(self.email)

    @property
    def display_name(self) -> str:
        return greetings.display_name(self.greeting_parts())

    @property
    def effective_salutation(self) -> str:
        return self.salutation or greetings.informal_salutation(self.greeting_parts())

    def greeting_line(self, language: str = "") -> str:
        """'Dear Ana,' / 'Estimada Ana:', in `language` or their preferred one."""
        return greetings.greeting_line(
            self.greeting_parts(), self.effective_salutation, language or self.preferred_language
        )

    @property
    def effective_formal_salutation(self) -> str:
        return self.formal_salutation or greetings.formal_salutation(self.greeting_parts())

    @property
    def effective_addressee(self) -> str:
        return self.addressee or greetings.addressee(self.greeting_parts())

    def greeting_parts(self) -> greetings.Names:
        return greetings.Names(
            is_organisation=self.kind == self.Kind.ORGANISATION,
            title=self.title,
            first_name=self.first_name,
            middle_name=self.middle_name,
            last_name=self.last_name,
            suffix=self.suffix,
            preferred_name=self.preferred_name,
            partner_title=self.partner_title,
            partner_first_name=self.partner_first_name,
            partner_last_name=self.partner_last_name,
            organisation_name=self.organisation_name,
        )

    @property
    def address_lines(self) -> list[str]:
        """The postal address as printed on an envelope (without the addressee), laid out by
        the destination country's rules."""
        return addresses.address_lines(
            line1=self.address_line1,
            line2=self.address_line2,
            city=self.city,
            region=self.region,
            postal_code=self.postal_code,
            country=self.country,
        )

    @property
    def has_postal_address(self) -> bool:
        return bool(self.address_line1 and (self.city or self.postal_code))

    @property
    def can_email(self) -> bool:
        return bool(
            self.email
            and not (self.do_not_email or self.do_not_contact or self.deceased)
            and self.email_opt_in != self.EmailOptIn.OPTED_OUT
        )


class Note(models.Model):
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ConsentEvent(models.Model):
    """One change to a supporter's consent: who changed what, when, how, and on what grounds."""

    class Method(models.TextChoices):
        STAFF = "staff", "Staff edit"
        IMPORT = "import", "Import"
        WEB_FORM = "web_form", "Web form"
        DONATION = "donation", "Donation page"
        UNSUBSCRIBE = "unsubscribe", "Unsubscribe link"
        BOUNCE = "bounce", "Bounce or complaint"
        MERGE = "merge", "Merge of duplicates"
        DEMO = "demo", "Demo data"

    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="consent_events"
    )
    field = models.CharField(max_length=30)
    old_value = models.CharField(max_length=30, blank=True)
    new_value = models.CharField(max_length=30)
    method = models.CharField(max_length=20, choices=Method.choices)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where consent was given: form name, event, file."
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        field = self.field.replace("_", " ").capitalize()
        return f"{field}: {self.old_value or '—'} → {self.new_value} ({self.get_method_display()})"


class SupporterMerge(models.Model):
    """The record of a merge: who merged which record into which, with a full copy of the
    record that was removed so nothing it held is lost."""

    survivor = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="merges")
    merged_supporter_id = models.BigIntegerField()
    merged_snapshot = models.JSONField()
    fields_filled = models.JSONField(default=list, help_text="Blank fields filled from the other.")
    moved = models.JSONField(default=dict, help_text="Related rows moved, by kind.")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"#{self.merged_supporter_id} merged into #{self.survivor_id}"


class NotDuplicate(models.Model):
    """Staff said these two records are different people; the finder stops pairing them."""

    low = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["low", "high"], name="not_duplicate_pair_unique"),
            models.CheckConstraint(
                condition=Q(low__lt=models.F("high")), name="not_duplicate_order"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.low_id} is not #{self.high_id}"
