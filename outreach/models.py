"""Campaigns, what they ask of partners, the pipeline of each ask and who signed."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from crm.models import Contact, Organisation, TimestampedModel

# Slugs that would shadow a page of their own list (/asks/new/, /campaigns/new/).
RESERVED_SLUGS = {"new"}


class AutoSlugMixin:
    """A blank slug is made from `slug_source` (the name or title) when the row is saved,
    so the forms, the API and the admin all get the same slug: "stop-facial-recognition",
    then "stop-facial-recognition-2" if taken, or `slug_fallback` ("ask", "ask-2") when
    the title has no letters a slug can hold (Japanese, say)."""

    slug_source = "name"
    slug_fallback = "item"

    def save(self, *args, **kwargs):
        if self.slug:
            return super().save(*args, **kwargs)
        # Two people creating "Stop FR" at once: the unique constraint decides, the
        # loser takes the next number.
        for _attempt in range(5):
            self.slug = self._free_slug()
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if not type(self)._default_manager.filter(slug=self.slug).exists():
                    raise
        raise IntegrityError(f"No free slug for {self!r}")

    def _free_slug(self):
        room = self._meta.get_field("slug").max_length - 6  # for "-12345"
        base = slugify(getattr(self, self.slug_source))[:room].strip("-") or self.slug_fallback
        taken = (
            set(
                type(self)
                ._default_manager.filter(Q(slug=base) | Q(slug__startswith=f"{base}-"))
                .values_list("slug", flat=True)
            )
            | RESERVED_SLUGS
        )
        if base not in taken:
            return base
        number = 2
        while f"{base}-{number}" in taken:
            number += 1
        return f"{base}-{number}"


class Campaign(AutoSlugMixin, TimestampedModel):
    slug_source = "name"
    slug_fallback = "campaign"

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        blank=True,
        help_text=_("Used in addresses. Left blank, it is made from the name."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AskQuerySet(models.QuerySet):
    def open_on(self, day):
        """Asks accepting signatures on `day`: opened (or no opening date) and not closed."""
        return self.filter(
            Q(opens_on__isnull=True) | Q(opens_on__lte=day),
            Q(closes_on__isnull=True) | Q(closes_on__gte=day),
        )


class Ask(AutoSlugMixin, TimestampedModel):
    slug_source = "title"
    slug_fallback = "ask"

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("Sign a statement")
        ENDORSEMENT = "endorsement", _("Endorse")
        ATTENDANCE = "attendance", _("Attend")

    class Signers(models.TextChoices):
        ORGANISATIONS = "organisations", _("Organisations")
        INDIVIDUALS = "individuals", _("Individuals")
        BOTH = "both", _("Organisations and individuals")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="asks")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        blank=True,
        help_text=_("Used in addresses. Left blank, it is made from the title."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.STATEMENT)
    language = models.CharField(
        _("language of the text"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    statement = models.TextField(_("statement (Markdown)"), blank=True)
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    target_count = models.PositiveIntegerField(_("target number of signatures"), default=0)
    signers = models.CharField(
        _("who may sign"), max_length=20, choices=Signers, default=Signers.BOTH
    )
    is_published = models.BooleanField(_("published"), default=False)
    first_reminder_after = models.PositiveSmallIntegerField(
        _("first reminder after (business days)"), default=5
    )
    reminder_every = models.PositiveSmallIntegerField(_("then remind every (days)"), default=7)
    max_reminders = models.PositiveSmallIntegerField(_("at most this many reminders"), default=2)
    verify_organisation_signatures = models.BooleanField(
        _("verify organisation signatures before listing"),
        default=True,
        help_text=_(
            "Organisations signing on the public page are listed only after staff verify them."
        ),
    )

    objects = AskQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True)
                | Q(opens_on__isnull=True)
                | Q(closes_on__gte=models.F("opens_on")),
                name="ask_closes_after_opening",
                violation_error_message=_("An ask cannot close before it opens."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("outreach:ask-board", args=[self.slug])

    @property
    def sign_path(self):
        """The public signing page (built by the public pages: /s/<slug>/)."""
        return f"/s/{self.slug}/"

    def is_open_on(self, day):
        return (self.opens_on is None or self.opens_on <= day) and (
            self.closes_on is None or self.closes_on >= day
        )

    def takes_signatures_from_outside_on(self, day):
        """Whether signers may sign on their own on `day` (the public form, the OSDI
        record signature helper): published and open."""
        return self.has_public_pages and self.is_open_on(day)

    @property
    def has_public_pages(self):
        """Whether the public pages (statement, sign form, signatories CSV/JSON, embed)
        answer; otherwise they are "not found". The public views and the staff pages'
        links to them both ask this."""
        return self.is_published

    def get_public_url(self):
        return reverse("public:statement", args=[self.slug])

    def text_in(self, language):
        """(title, statement Markdown, language) in `language`, falling back to the
        ask's own language when there is no translation."""
        if language and language != self.language:
            for translation in self.translations.all():
                if translation.language == language:
                    return translation.title, translation.statement, language
        return self.title, self.statement, self.language

    @property
    def languages(self):
        """Languages the statement is written in: its own first, then translations."""
        return [self.language] + [
            t.language for t in self.translations.all() if t.language != self.language
        ]


class StatementVersion(models.Model):
    """The text of an ask in one language as it stood when someone signed it.

    A new version is kept whenever the text differs from the last one, so each signature
    can say which words its signatory agreed to."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="statement_versions")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    statement = models.TextField(_("statement (Markdown)"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["ask", "language", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["ask", "language", "number"], name="statement_version_unique"
            ),
        ]

    def __str__(self):
        return f"{self.ask} [{self.language}] v{self.number}"


class AskTranslation(models.Model):
    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    statement = models.TextField(_("statement (Markdown)"), blank=True)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["ask", "language"],
                name="ask_translation_one_per_language",
                violation_error_message=_("This ask already has a text in that language."),
            ),
        ]

    def __str__(self):
        return f"{self.ask} [{self.language}]"


class Stage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    INVITED = "invited", _("Invited")
    FOLLOWED_UP = "followed_up", _("Followed up")
    SIGNED = "signed", _("Signed")
    DECLINED = "declined", _("Declined")
    NO_RESPONSE = "no_response", _("No response")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Stage sets the app asks about. Set after the class so they stay plain attributes, not
# members (list(Stage), the choices and the migrations are unchanged).
# Closed: the organisation has answered (or taken its name back); no follow-up is due.
Stage.CLOSED = frozenset({Stage.SIGNED, Stage.DECLINED, Stage.WITHDRAWN})
# Awaiting: asked and not yet answered, so a reminder may go out.
Stage.AWAITING = frozenset({Stage.INVITED, Stage.FOLLOWED_UP})


# The pipeline: every move an outreach entry may make. Anything else is refused.
# "Followed up" is repeatable: later reminders are activities counted on the entry
# (follow_up_count) while the stage stays.
TRANSITIONS = {
    Stage.PROSPECT: {Stage.INVITED, Stage.SIGNED, Stage.DECLINED},
    Stage.INVITED: {Stage.FOLLOWED_UP, Stage.SIGNED, Stage.DECLINED, Stage.NO_RESPONSE},
    Stage.FOLLOWED_UP: {Stage.SIGNED, Stage.DECLINED, Stage.NO_RESPONSE},
    Stage.NO_RESPONSE: {Stage.FOLLOWED_UP, Stage.SIGNED, Stage.DECLINED},
    Stage.DECLINED: {Stage.SIGNED},
    Stage.SIGNED: {Stage.WITHDRAWN},
    Stage.WITHDRAWN: {Stage.SIGNED},
}

# Stages in the order the board and reports show them.
STAGE_ORDER = [
    Stage.PROSPECT,
    Stage.INVITED,
    Stage.FOLLOWED_UP,
    Stage.SIGNED,
    Stage.DECLINED,
    Stage.NO_RESPONSE,
    Stage.WITHDRAWN,
]


class OutreachQuerySet(models.QuerySet):
    def awaiting_reply(self):
        return self.filter(stage__in=Stage.AWAITING)

    def follow_ups_due_by(self, day):
        """Entries whose next follow-up falls on or before `day` (overdue ones included)."""
        return self.filter(next_follow_up_on__lte=day).exclude(stage__in=Stage.CLOSED)


class Outreach(TimestampedModel):
    """One pipeline entry: an organisation (or an individual) asked to act on an ask."""

    Stage = Stage

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="outreach")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outreach",
        help_text=_("Leave empty when asking an individual."),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach",
        verbose_name=_("contact person"),
        help_text=_("The organisation's primary contact, or the individual asked."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach",
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage, default=Stage.PROSPECT)
    stage_changed_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    follow_up_count = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = OutreachQuerySet.as_manager()

    class Meta:
        verbose_name = _("outreach entry")
        verbose_name_plural = _("outreach")
        ordering = ["ask", "stage_changed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ask", "organisation"],
                condition=Q(organisation__isnull=False),
                name="outreach_one_per_ask_organisation",
                violation_error_message=_("This organisation is already in this ask's pipeline."),
            ),
            models.UniqueConstraint(
                fields=["ask", "contact"],
                condition=Q(organisation__isnull=True),
                name="outreach_one_per_ask_individual",
                violation_error_message=_("This person is already in this ask's pipeline."),
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(contact__isnull=False),
                name="outreach_names_organisation_or_person",
                violation_error_message=_("An outreach entry names an organisation or a person."),
            ),
        ]
        indexes = [
            models.Index(fields=["ask", "stage"], name="outreach_ask_stage"),
            models.Index(fields=["next_follow_up_on"], name="outreach_next_follow_up"),
            # The board reads each column's longest-waiting cards through this one.
            models.Index(
                fields=["ask", "stage", "stage_changed_at", "id"], name="outreach_board_column"
            ),
        ]

    def __str__(self):
        return f"{self.target_name} — {self.ask}"

    @property
    def target_name(self):
        return str(self.organisation or self.contact)

    @property
    def is_individual(self):
        return self.organisation_id is None

    def can_move_to(self, stage):
        return stage in TRANSITIONS[self.stage]

    def get_absolute_url(self):
        return reverse("outreach:outreach-detail", args=[self.pk])

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return (
            self.next_follow_up_on is not None
            and self.next_follow_up_on < today
            and self.stage not in Stage.CLOSED
        )

    def days_in_stage(self, now=None):
        return ((now or timezone.now()) - self.stage_changed_at).days


class Activity(models.Model):
    """Something that happened: the timeline of an outreach entry, contact or organisation."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation sent")
        REMINDER = "reminder", _("Reminder sent")
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        REPLY = "reply", _("Reply received")
        NOTE = "note", _("Note")
        STAGE_CHANGE = "stage_change", _("Stage changed")
        SIGNATURE = "signature", _("Signature recorded")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("by"),
    )
    outreach = models.ForeignKey(
        Outreach, on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outreach__isnull=False)
                | Q(organisation__isnull=False)
                | Q(contact__isnull=False),
                name="activity_is_about_something",
                violation_error_message=_("An activity concerns an outreach entry or a record."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.occurred_at:%Y-%m-%d}"


class SignatureQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=Signature.LIVE_STATUSES)

    def confirmed(self):
        return self.filter(status=Signature.Status.CONFIRMED)

    def counted(self):
        """Signatures that count publicly: confirmed, and verified when they had to be."""
        return self.confirmed().filter(awaiting_verification=False)

    def for_public_listing(self):
        """What may be shown to the public: confirmed, verified when needed, and agreed
        to be listed. Every public page, export and embed reads through this."""
        return self.counted().filter(public=True)

    def awaiting_verification(self):
        return self.confirmed().filter(awaiting_verification=True)


class Signature(TimestampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        STAFF = "staff", _("Staff entry")
        IMPORT = "import", _("Import")
        PUBLIC_FORM = "public_form", _("Public form")
        PARTNER = "partner", _("Partner referral")

    LIVE_STATUSES = [Status.PENDING, Status.CONFIRMED]

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="signatures")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        help_text=_("Empty when a person signs as an individual."),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name=_("person"),
        help_text=_("Who signed for the organisation, or the individual signatory."),
    )
    display_name = models.CharField(_("name as published"), max_length=250)
    role = models.CharField(_("role of the person signing"), max_length=150, blank=True)
    affiliation_text = models.CharField(
        _("affiliation (for identification only)"), max_length=250, blank=True
    )
    country = CountryField(_("country"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now, db_index=True)
    source = models.CharField(_("source"), max_length=20, choices=Source, default=Source.STAFF)
    public = models.BooleanField(
        _("listed publicly"),
        default=False,
        help_text=_("Only with the signatory's explicit consent."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.CONFIRMED, db_index=True
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    status_reason = models.CharField(
        _("reason for rejection or withdrawal"), max_length=300, blank=True
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
        help_text=_("Empty when the signatory withdrew through their own link."),
    )
    # Public sign-on: double opt-in, verification, consent and the text signed.
    confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    awaiting_verification = models.BooleanField(
        _("awaiting verification"), default=False, db_index=True
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    organisation_was_known = models.BooleanField(
        _("organisation already in the CRM when signing"), default=False
    )
    confirm_nonce = models.CharField(max_length=64, blank=True, editable=False)
    withdraw_nonce = models.CharField(max_length=64, blank=True, editable=False)
    # What a public form submission asks to change; applied only once its link is followed.
    pending_changes = models.JSONField(default=dict, blank=True, editable=False)
    # Why the confirmation e-mail of the pending submission could not be sent, after its
    # retries (outreach.emails.sign_on_email_send); empty once one is sent or re-queued.
    confirmation_email_error = models.CharField(
        _("confirmation e-mail failed"), max_length=300, blank=True, editable=False
    )
    language = models.CharField(
        _("language signed in"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    statement_version = models.ForeignKey(
        StatementVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name=_("text version signed"),
    )
    # An import of an already-published list: where the signatory was listed publicly
    # before, the basis for listing it here too (docs/import.md).
    public_source = models.URLField(
        _("already listed publicly at"),
        max_length=500,
        blank=True,
        help_text=_("For a signature imported from a list published elsewhere."),
    )
    listing_consent = models.ForeignKey(
        "crm.ConsentRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent to public listing"),
    )

    # The nonces are secrets and pending changes are not the record: neither goes in history.
    history = HistoricalRecords(
        excluded_fields=[
            "created_at",
            "updated_at",
            "confirm_nonce",
            "withdraw_nonce",
            "pending_changes",
            "confirmation_email_error",
        ]
    )
    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ask", "organisation"],
                condition=Q(organisation__isnull=False, status__in=["pending", "confirmed"]),
                name="signature_one_live_per_ask_organisation",
                violation_error_message=_("This organisation has already signed this ask."),
            ),
            models.UniqueConstraint(
                fields=["ask", "contact"],
                condition=Q(organisation__isnull=True, status__in=["pending", "confirmed"]),
                name="signature_one_live_per_ask_person",
                violation_error_message=_("This person has already signed this ask."),
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(contact__isnull=False),
                name="signature_names_organisation_or_person",
                violation_error_message=_("A signature names an organisation or a person."),
            ),
        ]
        indexes = [
            models.Index(fields=["ask", "status", "signed_at"], name="signature_ask_status_date"),
            # The public statement page (docs/performance.md, "Load test"): its counts, its
            # list in name order and its country filter read these alone, never the table.
            models.Index(
                fields=["ask", "organisation", "id"],
                condition=Q(status="confirmed", awaiting_verification=False),
                name="signature_counted",
            ),
            models.Index(
                fields=["ask", "display_name", "id"],
                condition=Q(status="confirmed", awaiting_verification=False, public=True),
                name="signature_public_listing",
            ),
            models.Index(
                fields=["ask", "country"],
                condition=Q(status="confirmed", awaiting_verification=False, public=True),
                name="signature_public_country",
            ),
        ]

    def __str__(self):
        return f"{self.display_name} — {self.ask}"

    @property
    def is_individual(self):
        return self.organisation_id is None

    @property
    def is_live(self):
        return self.status in self.LIVE_STATUSES

    @property
    def is_listed(self):
        return (
            self.status == self.Status.CONFIRMED
            and self.public
            and not (self.awaiting_verification)
        )


class SignatureDailyCount(models.Model):
    """How many confirmed signatures an ask gathered on one local day, organisations and
    individuals apart: the growth series and the reports across asks read these rows
    instead of every signature (at most two per ask and day).

    Kept in step by the services that change which signatures count, in their own
    transaction (outreach/rollups.py); `manage.py rebuild_rollups` recomputes it from
    the signatures. A row may hold 0 once its signatures left."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        INDIVIDUAL = "individual", _("Individual")

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("local day"))
    kind = models.CharField(_("kind of signatory"), max_length=20, choices=Kind)
    count = models.IntegerField(_("confirmed signatures"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ask", "day", "kind"], name="signature_daily_count_once_per_slot"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="signature_daily_count_day")]

    def __str__(self):
        return f"{self.ask_id} {self.day} {self.kind}: {self.count}"


class SignatureDailyBreakdown(models.Model):
    """Confirmed signatures of an ask on one local day by country, and apart by source:
    one row per value seen that day (a row per country × source × kind would hold about
    one signature each on a quiet day, and the breakdowns add each dimension up alone).
    Kept and rebuilt with SignatureDailyCount."""

    class Dimension(models.TextChoices):
        COUNTRY = "country", _("Country")
        SOURCE = "source", _("Source")

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("local day"))
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension)
    value = models.CharField(_("value"), max_length=20, blank=True)
    count = models.IntegerField(_("confirmed signatures"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ask", "day", "dimension", "value"],
                name="signature_daily_breakdown_once_per_slot",
            ),
        ]

    def __str__(self):
        return f"{self.ask_id} {self.day} {self.dimension}={self.value}: {self.count}"


class DeliverySnapshot(models.Model):
    """The statement and its public signatory list frozen as of a moment, for delivery
    to its addressees while the letter stays open."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="snapshots")
    as_of = models.DateTimeField(_("as of"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    statement = models.TextField(_("statement (Markdown)"), blank=True)
    statement_version = models.ForeignKey(
        StatementVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Only the allow-listed public fields of each listed signatory, in list order.
    rows = models.JSONField(default=list)
    organisation_count = models.PositiveIntegerField(default=0)
    individual_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-as_of"]

    def __str__(self):
        return f"{self.ask} — {self.as_of:%Y-%m-%d}"


class AskHoliday(models.Model):
    """A day on which no reminder is due for this ask (public holidays, office closures)."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="holidays")
    day = models.DateField(_("day"))

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["ask", "day"], name="ask_holiday_once_per_day"),
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d}"


class MessageTemplate(TimestampedModel):
    """The text of an e-mail sent about an ask, for one purpose, in one language."""

    class Purpose(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")
        THANK_YOU = "thank_you", _("Thank-you")

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="message_templates")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["ask", "purpose", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["ask", "purpose", "language"],
                name="message_template_one_per_purpose_language",
                violation_error_message=_(
                    "This ask already has a message for that purpose in that language."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.ask} — {self.get_purpose_display()} [{self.language}]"

    def clean(self):
        # Here as well as in the staff form, so the admin refuses unknown fields too.
        from outreach.emails import check_merge_fields

        errors = {}
        for name in ("subject", "body"):
            try:
                check_merge_fields(getattr(self, name))
            except ValidationError as error:
                errors[name] = error.messages
        if errors:
            raise ValidationError(errors)


class EmailBatch(models.Model):
    """One sending of a message to a selection of outreach entries, done in the background.

    The counters are the progress the staff page shows while the task runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="email_batches")
    purpose = models.CharField(_("purpose"), max_length=20, choices=MessageTemplate.Purpose)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    outreach_ids = models.JSONField(_("entries"), default=list)
    # The site's address, taken from the request, for the sign link in the messages.
    base_url = models.CharField(max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    # The entries sent to so far: a retry sends to the others only, never twice.
    sent_ids = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("e-mail batches")

    def __str__(self):
        return f"{self.get_purpose_display()} — {self.ask} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("outreach:email-batch", args=[self.pk])

    @property
    def done_count(self):
        return self.sent + self.skipped + self.failed

    @property
    def percent(self):
        return round(100 * self.done_count / self.total) if self.total else 100

    @property
    def is_finished(self):
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def can_retry(self):
        """Finished, and stopped on an error or with messages the mail server refused."""
        return self.status == self.Status.FAILED or (
            self.status == self.Status.DONE and self.failed > 0
        )
