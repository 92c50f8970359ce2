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
    # For a tool that sends signatures its own form did not confirm: the OSDI record
    # signature helper then asks the signer to confirm, unless the request says otherwise.
    double_opt_in = models.BooleanField(
        _("signatures sent with this token need the signer's e-mail confirmation"),
        default=False,
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")

    def __str__(self):
        return f"{self.name} ({self.token_key}…)"
