"""The thank-you rules: an ordered list, condition -> letter, tried top to bottom."""

from django.db import models

from mailings.models import Letter


class ThankYouRule(models.Model):
    class Condition(models.TextChoices):
        FIRST_GIFT = "first_gift", "The donor's first gift"
        MONTHLY = "monthly", "A gift of a monthly plan"
        LARGE_GIFT = "large_gift", "A large gift"
        TRIBUTE = "tribute", "A gift in honor or memory of someone"
        NON_CASH = "non_cash", "Stock or in kind"
        ANY = "any", "Any gift (the default)"

    position = models.PositiveSmallIntegerField(
        default=0, help_text="Rules are tried from the lowest number; the first that fits wins."
    )
    condition = models.CharField(max_length=12, choices=Condition.choices)
    letter = models.ForeignKey(
        Letter, on_delete=models.PROTECT, related_name="thank_you_rules",
        limit_choices_to={"purpose": Letter.Purpose.THANK_YOU},
        help_text="A thank-you letter; it is sent in the donor's language when it has one.",
    )  # fmt: skip
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "thank-you rule"

    def __str__(self) -> str:
        return f"{self.get_condition_display()} → {self.letter}"
