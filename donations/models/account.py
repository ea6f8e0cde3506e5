"""One-time links of the donor account (/account/): a sign-in link, or the confirmation of a new
email address sent to that address. Only a hash of each token is kept."""

from django.db import models

from crm.models import Supporter


class AccountLink(models.Model):
    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", "Sign in"
        EMAIL_CHANGE = "email_change", "Confirm a new email"

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="account_links")
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    # sha256 of the token in the link: a copy of this table opens no account.
    token_hash = models.CharField(max_length=64, unique=True)
    new_email = models.EmailField(blank=True)  # EMAIL_CHANGE only: the address to confirm
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Links still open for one supporter (a new link or a sign-out closes them).
            models.Index(fields=["supporter", "used_at"], name="account_link_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link for supporter #{self.supporter_id}"
