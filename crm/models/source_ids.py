"""The ids a supporter had in the systems their records came from (EveryAction's VANID, a
previous CRM's Donor_ID...): kept so the next import of that system's file finds them first."""

from django.db import models

from crm.models.people import Supporter


class SourceId(models.Model):
    """One id of a supporter in another system. A person may carry several ids from one
    system (a duplicate there, folded into one record here); an id belongs to one supporter."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="source_ids")
    system = models.CharField(max_length=60, help_text="EveryAction, CanadaHelps, Previous CRM...")
    value = models.CharField("id", max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["system", "value"]
        constraints = [
            # Also the index import matching reads: (system, id) -> supporter.
            models.UniqueConstraint(fields=["system", "value"], name="supporter_source_id_unique")
        ]
        verbose_name = "source id"

    def __str__(self) -> str:
        return f"{self.system} {self.value}"
