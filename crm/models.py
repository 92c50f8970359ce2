"""Partner organisations, their contact people and what they agreed to."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from crm import languages
from crm.search import SearchTextField, fold
from crm.text import normalise_email, normalise_name


class ConstraintsOnFields:
    """Puts the message of a constraint about one field on that field (CONSTRAINT_FIELDS:
    constraint name -> field), so that a form and the API show it there: the models hold
    the rules, the forms and serializers do not check them again. A violation without a
    code of its own gets the constraint's name as its code, so a form may word it for its
    page (Meta.error_messages) as it does a field's own errors."""

    CONSTRAINT_FIELDS = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            raise ValidationError(self._errors_on_fields(error)) from None

    def _errors_on_fields(self, error):
        constraint_of_message = {
            str(constraint.get_violation_error_message()): constraint.name
            for constraint in self._meta.constraints
        }
        errors = {}
        for field, messages in error.error_dict.items():
            for message in messages:
                name = constraint_of_message.get(" ".join(message.messages))
                if name and message.code is None:
                    message.code = name
                key = field
                if field == NON_FIELD_ERRORS and name in self.CONSTRAINT_FIELDS:
                    key = self.CONSTRAINT_FIELDS[name]
                errors.setdefault(key, []).append(message)
        return errors


class NormalisedEmailField(models.EmailField):
    """An e-mail stored trimmed, NFC and lower-cased; blank is stored as NULL.

    Normalising in the field (not in save()) means lookups, bulk writes and updates
    see the same value, so `Contact.objects.filter(email="Ana@X.org ")` finds ana@x.org.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return normalise_email(value) or None

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_email(value) or None


class LanguageField(models.CharField):
    """A person's language as a BCP 47 tag (crm.languages): any ISO 639 language,
    whichever the interface has. 'pt_BR', 'Portuguese (Brazil)' and 'pt-br' are stored
    'pt-BR'; blank is ''. Normalised in the field, so forms, the API, the admin and bulk
    writes store the same value."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", languages.MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        # An unknown language is kept as written for validate() to name it.
        return languages.parse_language(value) or value or ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return languages.parse_language(value) or value or ""

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if value and languages.parse_language(value) is None:
            raise ValidationError(
                languages.LANGUAGE_UNKNOWN.format(value=value), code="unknown_language"
            )


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class SearchableQuerySet(models.QuerySet):
    """Keeps `search_text` right on the bulk paths that skip save() (imports, services).

    `update()` is not covered: code that updates names in bulk calls
    `refresh_search_text()` on the rows it changed.
    """

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.search_text = obj.build_search_text()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if set(fields) & set(self.model.SEARCHED_FIELDS):
            for obj in objs:
                obj.search_text = obj.build_search_text()
            fields = [*fields, "search_text"]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def refresh_search_text(self, batch_size=2000):
        """Recompute the search column of these rows; returns how many were rewritten."""
        changed = []
        for obj in self.iterator(chunk_size=batch_size):
            text = obj.build_search_text()
            if text != obj.search_text:
                obj.search_text = text
                changed.append(obj)
        models.QuerySet.bulk_update(self, changed, ["search_text"], batch_size=batch_size)
        return len(changed)


class Tag(models.Model):
    class Kind(models.TextChoices):
        CAUSE = "cause", _("Cause")
        LABEL = "label", _("Label")

    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.LABEL)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organisation(TimestampedModel):
    class Kind(models.TextChoices):
        NGO = "ngo", _("NGO")
        NETWORK = "network", _("Network")
        ACADEMIC = "academic", _("Academic")
        UNION = "union", _("Union")
        FOUNDATION = "foundation", _("Foundation")
        MEDIA = "media", _("Media")
        COMPANY = "company", _("Company")
        PUBLIC_BODY = "public_body", _("Public body")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.NGO)
    country = CountryField(_("country"), blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    # Derived from the website; kept in a column so imports and dedupe can match on it.
    domain = models.CharField(_("website domain"), max_length=253, blank=True, db_index=True)
    email = models.EmailField(_("general e-mail"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="organisations")
    member_of = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="members",
        verbose_name=_("member of"),
        help_text=_("Networks this organisation belongs to."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # Folded names, e-mail and website (crm.search.fold): what the search box looks in.
    search_text = SearchTextField(editable=False, blank=True, default="")

    SEARCHED_FIELDS = ("name", "acronym", "email", "website")

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "search_text"])
    objects = SearchableQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(Lower("name"), name="organisation_name_ci"),
            models.Index(fields=["name", "id"], name="organisation_name_order"),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def save(self, *args, **kwargs):
        # The domain is a pure function of the website; keeping it in step is not
        # business logic but the column's definition.
        self.domain = website_domain(self.website)
        self.search_text = self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "domain", "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("crm:organisation-detail", args=[self.pk])

    def build_search_text(self):
        domain = website_domain(self.website)
        return fold(" ".join(filter(None, [self.name, self.acronym, self.email or "", domain])))

    def clean(self):
        self.name = normalise_name(self.name)
        self.acronym = normalise_name(self.acronym)
        self.domain = website_domain(self.website)


def website_domain(url):
    """'https://www.EDRi.org/about' -> 'edri.org'."""
    if not url:
        return ""
    if "//" not in url:
        url = "//" + url
    host = (urlsplit(url.strip()).hostname or "").lower()
    return host.removeprefix("www.")


class Contact(ConstraintsOnFields, TimestampedModel):
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = NormalisedEmailField(_("e-mail"), max_length=254, null=True, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    preferred_language = LanguageField(
        _("preferred language"),
        blank=True,
        help_text=_("Any language: a code such as pt or pt-BR, or its name."),
    )
    country = CountryField(_("country"), blank=True, db_index=True)
    expertise = models.CharField(_("expertise"), max_length=200, blank=True)
    do_not_contact = models.BooleanField(
        _("do not contact"),
        default=False,
        help_text=_("Never e-mail or call this person about an ask."),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")
    organisations = models.ManyToManyField(
        Organisation, through="Affiliation", related_name="contacts", blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    # Set when the person's data was erased on request or by the retention rule
    # (crm.privacy): the row stays so counts hold, with nothing left that names them.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)
    # Folded names (both orders) and e-mail (crm.search.fold): what the search box looks in.
    search_text = SearchTextField(editable=False, blank=True, default="")

    SEARCHED_FIELDS = ("first_name", "last_name", "email")
    CONSTRAINT_FIELDS = {"contact_email_unique_ci": "email"}

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "search_text"])
    objects = SearchableQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        # Permissions about the CRM as a whole, given through roles (crm/roles.py).
        permissions = [
            ("export_records", "Can export lists of records"),
            ("import_records", "Can import spreadsheets"),
            ("manage_data_protection", "Can export and erase a person's data"),
            ("merge_records", "Can merge duplicate contacts and organisations"),
            ("list_contact_details", "Can see e-mails and phones in lists of contacts"),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="contact_name_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="contact_email_unique_ci",
                violation_error_message=_("A contact with this e-mail already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(first_name="", last_name="", email__isnull=True),
                name="contact_has_name_or_email",
                violation_error_message=_("A contact needs a name or an e-mail."),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email or f"Contact {self.pk}"

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("crm:contact-detail", args=[self.pk])

    def build_search_text(self):
        # "first last" and "lastfirst": a Japanese name is written family name first,
        # without a space, and must be found by any part of it.
        first, last = fold(self.first_name), fold(self.last_name)
        parts = [f"{first} {last}", f"{last}{first}", normalise_email(self.email)]
        return " | ".join(part.strip() for part in parts if part.strip())

    @property
    def full_name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def preferred_language_name(self):
        """'Portuguese (Brazil)', in the language of the page."""
        return languages.language_name(self.preferred_language)

    def clean(self):
        self.first_name = normalise_name(self.first_name)
        self.last_name = normalise_name(self.last_name)


class AffiliationQuerySet(models.QuerySet):
    def current(self, today=None):
        """Affiliations not yet ended on `today` (the local date by default)."""
        today = today or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))


class Affiliation(ConstraintsOnFields, models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliations"
    )
    role = models.CharField(_("role"), max_length=150, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    started_on = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    CONSTRAINT_FIELDS = {
        "affiliation_one_primary_per_contact": "is_primary",
        "affiliation_ends_after_start": "ended_on",
    }

    history = HistoricalRecords()
    objects = AffiliationQuerySet.as_manager()

    class Meta:
        ordering = ["-is_primary", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(is_primary=True),
                name="affiliation_one_primary_per_contact",
                violation_error_message=_("A contact has only one primary affiliation."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="affiliation_ends_after_start",
                violation_error_message=_("An affiliation cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.contact} — {self.organisation}"

    @property
    def is_current(self):
        return self.ended_on is None or self.ended_on >= timezone.localdate()


class ConsentRecord(models.Model):
    class Purpose(models.TextChoices):
        OUTREACH = "outreach", _("Outreach e-mails")
        PUBLIC_LISTING = "public_listing", _("Public listing")
        NEWSLETTER = "newsletter", _("Newsletter")

    class LawfulBasis(models.TextChoices):
        CONSENT = "consent", _("Consent")
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
        CONTRACT = "contract", _("Contract")
        LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose)
    lawful_basis = models.CharField(
        _("lawful basis"), max_length=30, choices=LawfulBasis, default=LawfulBasis.CONSENT
    )
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    text_version = models.CharField(_("text version"), max_length=50, blank=True)
    text = models.TextField(
        _("text agreed to"), blank=True, help_text=_("The notice as the person read it.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
                violation_error_message=_("Consent cannot be withdrawn before it was given."),
            ),
        ]

    def __str__(self):
        return f"{self.contact} — {self.get_purpose_display()}"

    @property
    def is_active(self):
        return self.withdrawn_at is None


class SavedView(models.Model):
    """A list's filters and sort order kept under a name by one staff member
    ("EU digital-rights groups not yet asked")."""

    class List(models.TextChoices):
        ORGANISATIONS = "organisations", _("Organisations")
        CONTACTS = "contacts", _("Contacts")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    list = models.CharField(_("list"), max_length=20, choices=List)
    name = models.CharField(_("name"), max_length=120)
    query = models.TextField(_("filters"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "user",
                "list",
                Lower("name"),
                name="saved_view_name_unique_per_user",
                violation_error_message=_("You already have a saved view with this name."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        url_name = {
            self.List.ORGANISATIONS: "crm:organisation-list",
            self.List.CONTACTS: "crm:contact-list",
        }[self.list]
        return f"{reverse(url_name)}?{self.query}" if self.query else reverse(url_name)


class ImportRecordQuerySet(models.QuerySet):
    def holding_a_file(self):
        """Imports whose file, or the copy read from it, is still kept."""
        return self.filter(~Q(data=b"") | ~Q(table=b""))


class ImportRecord(models.Model):
    """One spreadsheet import: who brought which file, what they chose, what happened,
    and what it wrote (so it can be listed and undone)."""

    class Kind(models.TextChoices):
        CONTACTS = "contacts", _("Contacts with their organisation")
        ORGANISATIONS = "organisations", _("Organisations")
        SIGNATURES = "signatures", _("Signatures for an ask")
        INVITES = "invites", _("Invite list for an ask")

    class Status(models.TextChoices):
        READING = "reading", _("Reading the file")
        UPLOADED = "uploaded", _("Uploaded")
        PREVIEWING = "previewing", _("Checking")
        PREVIEWED = "previewed", _("Checked")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")
        REFUSED = "refused", _("Not imported")
        FAILED = "failed", _("Failed")
        UNDONE = "undone", _("Undone")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.UPLOADED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    # The uploaded file, kept only until it is imported or abandoned.
    data = models.BinaryField(_("file"), blank=True, editable=False)
    # The file as read once, in the worker (crm.importing.reading.pack_table): the mapping
    # page, the preview and the commit use it, never reading the file again. The file
    # itself goes once read, unless the workbook has other sheets to choose from.
    table = models.BinaryField(_("file as read"), blank=True, editable=False)
    ask = models.ForeignKey(
        "outreach.Ask", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    headers = models.JSONField(_("columns of the file"), default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=list, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(_("invalid rows"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # {"crm.contact": [ids], ...}: what this import created, for listing and undo.
    created_ids = models.JSONField(_("records created"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField(_("message"), blank=True)
    # Who uploaded, imported and undid it, and when. The file, its rows and their errors
    # (personal data) and the progress counters are not copied into the history.
    history = HistoricalRecords(
        excluded_fields=[
            "data",
            "table",
            "headers",
            "mapping",
            "errors",
            "warnings",
            "created_ids",
            "progress_done",
            "progress_total",
        ]
    )

    objects = ImportRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("imports:detail", args=[self.pk])

    @property
    def is_running(self):
        return self.status in (self.Status.READING, self.Status.PREVIEWING, self.Status.COMMITTING)

    @property
    def has_file(self):
        """The file, or the copy read from it, is still kept."""
        return bool(self.data or self.table)

    def forget_file(self):
        self.data = self.table = b""

    @property
    def percent(self):
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class ImportChange(models.Model):
    """A record an import updated: the values before and after, to list and restore."""

    record = models.ForeignKey(ImportRecord, on_delete=models.CASCADE, related_name="changes")
    model = models.CharField(max_length=60)  # "crm.contact"
    object_id = models.BigIntegerField()
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["model", "object_id"], name="importchange_object")]

    def __str__(self):
        return f"{self.model} {self.object_id}"


class SavedMappingQuerySet(models.QuerySet):
    def most_recent_first(self):
        """Last used (or saved) first: the one a new file with its columns gets."""
        return self.order_by(Coalesce("used_at", "created_at").desc(), "-pk")


class SavedMapping(models.Model):
    """A column mapping kept to reuse with the next file from the same source. Shared by
    the staff who import (one name per kind of import), like the imports themselves."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ImportRecord.Kind)
    # {"header as in the file": "field"}
    columns = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = SavedMappingQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="savedmapping_unique_name"),
        ]

    def __str__(self):
        return self.name


class Suppression(models.Model):
    """A person whose data was erased on request, kept only as a keyed hash of their
    e-mail (crm.privacy.email_digest) so that an import or a public signing that brings
    the address back is reported rather than silently re-creating them."""

    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("erased at"), default=timezone.now)
    # How often the address came back since (an import row or a public signing), and when.
    matches = models.PositiveIntegerField(default=0)
    last_matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Suppression {self.digest[:12]}…"


class MergedRecord(models.Model):
    """A contact or organisation merged into another: its old id (and e-mail or names)
    still lead to the survivor, so old links and later imports resolve."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Contact")
        ORGANISATION = "organisation", _("Organisation")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    old_id = models.BigIntegerField(_("merged-away id"))
    # Plain ids rather than foreign keys: a survivor merged again is followed by resolve().
    survivor_id = models.BigIntegerField(_("kept id"))
    old_label = models.CharField(_("merged-away record"), max_length=300)
    email = NormalisedEmailField(_("e-mail"), max_length=254, null=True, blank=True)
    # header_key() of the old name and acronym: what an import matches organisations on.
    name_keys = models.JSONField(default=list, blank=True)
    domain = models.CharField(_("website domain"), max_length=253, blank=True)
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged by"),
    )

    class Meta:
        ordering = ["-merged_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "old_id"], name="merged_record_once"),
        ]
        indexes = [models.Index(fields=["kind", "email"], name="merged_record_email")]

    def __str__(self):
        return f"{self.old_label} → {self.survivor_id}"

    @classmethod
    def resolve(cls, kind, old_id):
        """The id that now stands for `old_id` (following merges of merges), or None."""
        seen = set()
        survivor = None
        while old_id not in seen:
            seen.add(old_id)
            row = cls.objects.filter(kind=kind, old_id=old_id).values("survivor_id").first()
            if row is None:
                return survivor
            survivor = old_id = row["survivor_id"]
        return survivor


class NotDuplicate(models.Model):
    """Two records someone looked at and said are not the same: never suggested again."""

    kind = models.CharField(_("kind"), max_length=20, choices=MergedRecord.Kind)
    # Stored smaller id first, so (a, b) and (b, a) are one row.
    first_id = models.BigIntegerField()
    second_id = models.BigIntegerField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "first_id", "second_id"], name="not_duplicate_once"
            ),
            models.CheckConstraint(
                condition=Q(first_id__lt=models.F("second_id")), name="not_duplicate_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.first_id} ≠ {self.second_id}"

    @classmethod
    def pairs(cls, kind):
        return set(cls.objects.filter(kind=kind).values_list("first_id", "second_id"))


class ExportFileQuerySet(models.QuerySet):
    def expired(self, *, now=None):
        return self.filter(expires_at__lte=now or timezone.now())

    def of(self, user):
        return self.filter(created_by=user)


class ExportFile(models.Model):
    """A large export built by the task worker, kept for its owner to download until it
    expires (settings.EXPORT_FILES_KEEP), then deleted: a copy of personal data should
    not outlive the need for it. The file lives in the database, like an import's, so
    every app process and worker can reach it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being written")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("what"), max_length=20)
    file_format = models.CharField(_("format"), max_length=4)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_files"
    )
    ask = models.ForeignKey("outreach.Ask", on_delete=models.CASCADE, null=True, blank=True)
    # The list's filters as a query string, as on the page: the worker filters again.
    query = models.TextField(_("filters"), blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file"), blank=True, editable=False)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("deleted at"))

    objects = ExportFileQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("crm:export-detail", args=[self.pk])

    @property
    def percent(self):
        return round(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def finished(self):
        return self.status in (self.Status.READY, self.Status.FAILED)
