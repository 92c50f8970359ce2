"""Per-person API tokens: named, shown once, stored only as a hash, revocable."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A knox token with the name its owner gave it ("Mailing tool sync").

    knox keeps only a digest of the token and its first characters (`token_key`) to find
    it; the token itself is shown once, when it is created.
    """

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")

    def __str__(self):
        return f"{self.name} ({self.token_key}…)"
