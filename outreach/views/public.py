"""The public side of an ask: its statement page (in each language), the sign form,
the links e-mailed to signatories, the partner outputs and the embeddable snippet.

Every list of names here reads through `Signature.objects.for_public_listing()` (see
outreach.selectors.public_signatures), so what a signatory did not agree to publish, or
what is not yet confirmed and verified, never reaches these views."""

import csv
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.spreadsheets import neutralise_formula
from crm.text import normalise_email
from outreach import challenge, ratelimit
from outreach.emails import signature_submit_and_email
from outreach.filters import PublicSignatureFilter
from outreach.forms import AS_ORGANISATION, SignForm, WithdrawForm
from outreach.models import Ask
from outreach.privacy import PRIVACY_NOTICE_VERSION, privacy_notice_text
from outreach.selectors import PUBLIC_FIELDS, public_counts, public_row, public_signatures
from outreach.services import (
    SignOn,
    signature_confirm,
    signature_withdraw_by_link,
)
from outreach.signature_cache import cached, figures_key

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
LANGUAGE_NAMES = dict(settings.LANGUAGES)


def _published_ask(slug):
    ask = get_object_or_404(
        Ask.objects.select_related("campaign").prefetch_related("translations"), slug=slug
    )
    if not ask.has_public_pages:
        raise Http404("No such statement")
    return ask


def _activate(request, ask, lang):
    """The page's own words follow `lang` (the ask's language when none is given)."""
    lang = lang or ask.language
    if lang not in LANGUAGE_NAMES:
        raise Http404("No such language")
    translation.activate(lang)
    request.LANGUAGE_CODE = lang
    return lang


def _client_address(request):
    # Behind a proxy, configure it to set REMOTE_ADDR (e.g. gunicorn's forwarded-allow-ips);
    # X-Forwarded-For is not trusted here because anyone can send it.
    return request.META.get("REMOTE_ADDR", "")


def _statement_context(request, ask, lang, form=None):
    title, statement, text_language = ask.text_in(lang)
    listed = public_signatures(ask=ask)
    filterset = PublicSignatureFilter(
        request.GET,
        queryset=listed,
        countries_present=cached(ask, "public-countries", lambda: _countries_of(listed)),
    )
    return {
        "form_started": challenge.issue(),
        "ask": ask,
        "lang": lang,
        "title": title,
        "statement": statement,
        "text_language": text_language,
        "text_language_name": LANGUAGE_NAMES.get(text_language, text_language),
        "languages": [(code, LANGUAGE_NAMES[code]) for code, _name in settings.LANGUAGES],
        "counts": cached(ask, "public-counts", lambda: public_counts(ask=ask)),
        "filterset": filterset,
        "page_obj": _list_page(request, ask, filterset),
        "is_filtered": any(request.GET.get(key) for key in ("q", "country", "kind")),
        "is_open": ask.is_open_on(timezone.localdate()),
        "form": form or SignForm(ask=ask),
        "privacy_notice": privacy_notice_text(),
        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
    }


def _countries_of(signatures):
    return set(signatures.order_by().values_list("country", flat=True).distinct())


# Pages of the list beyond this one, and searches, are read afresh on each request:
# the cache holds what visitors open most, not whatever a query string asks for.
CACHED_PAGES = 1000
LIST_PARAMETERS = {"country", "kind", "sort", "page"}


def _cached_page_number(request):
    """The list page asked for, if it is one the cache keeps; else None."""
    number = request.GET.get("page", "1")
    return int(number) if number.isdigit() and int(number) <= CACHED_PAGES else None


def _statement_page_key(request, ask, lang):
    """The key of the statement page as rendered for this query, for a visitor who has
    no session (nothing on the page is theirs but the form's CSRF token) and a query of
    the list's own parameters only (no search); else None."""
    query = request.GET
    if (
        # Signed-in staff and anyone with a session get the page rendered for them, so
        # nothing personal could ever reach the shared copy.
        request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        or set(query) - LIST_PARAMETERS
        or _cached_page_number(request) is None
    ):
        return None
    return figures_key(
        ask, "statement-page", lang=lang, query=query.urlencode(), today=timezone.localdate()
    )


def _stamp_placeholder():
    return salted_hmac("statement-page", "form-started", algorithm="sha256").hexdigest()


def _csrf_placeholder():
    # The same in every process (the pages are shared through the cache), unguessable,
    # so no text on the page can be mistaken for it.
    return salted_hmac("statement-page", "csrf-token", algorithm="sha256").hexdigest()


def _list_page(request, ask, filterset):
    if not filterset.is_valid():
        return _page_of(filterset.queryset.none(), 1)
    choices = filterset.form.cleaned_data
    number = _cached_page_number(request)
    if choices.get("q") or number is None:
        return _page_of(filterset.qs, request.GET.get("page"))
    return cached(
        ask,
        "public-page",
        lambda: _page_of(filterset.qs, number),
        country=choices.get("country") or "",
        kind=choices.get("kind") or "",
        sort=",".join(choices.get("sort") or []),
        page=number,
    )


def _page_of(signatures, number):
    """A page of the public list, self-contained so that it can be cached: its rows
    read, its paginator counting a range as long as the list."""
    # A stable order, so no one is skipped or repeated from one page to the next.
    signatures = signatures.order_by(*(signatures.query.order_by or ["display_name"]), "pk")
    page = Paginator(signatures, PAGE_SIZE).get_page(number)
    return Page(
        list(page.object_list), page.number, Paginator(range(page.paginator.count), PAGE_SIZE)
    )


@require_GET
def statement(request, slug, lang=None):
    """The statement, its counts, the sign form and a page of the list. The page as
    rendered is cached for visitors without a session, the busiest page when a statement
    spreads, with each visitor's own CSRF token put into the form."""
    ask = _published_ask(slug)
    lang = _activate(request, ask, lang)
    key = _statement_page_key(request, ask, lang)
    if key is None:
        return render(request, "public/statement.html", _statement_context(request, ask, lang))
    placeholder = _csrf_placeholder()
    page = cache.get(key)
    if page is None:
        context = _statement_context(request, ask, lang)
        context["csrf_token"] = placeholder  # above the context processors' own
        context["form_started"] = _stamp_placeholder()  # each visitor's own, as above
        page = render_to_string("public/statement.html", context, request)
        cache.set(key, page, settings.SIGNATURE_FIGURES_CACHE_SECONDS)
    page = page.replace(placeholder, get_token(request))
    return HttpResponse(page.replace(_stamp_placeholder(), challenge.issue()))


def _form_again(request, ask, lang, form, status, error=None):
    if error:
        form.add_error(None, error)
    return render(
        request,
        "public/statement.html",
        _statement_context(request, ask, lang, form),
        status=status,
    )


@require_POST
def sign(request, slug, lang):
    ask = _published_ask(slug)
    lang = _activate(request, ask, lang)
    form = SignForm(request.POST, ask=ask)
    if not ratelimit.hit("sign-ip", _client_address(request), settings.PUBLIC_SIGN_RATE_PER_IP):
        return _form_again(request, ask, lang, form, 429, _rate_limited_message())
    if form.is_bot:
        # Answer a bot as a person, so it learns nothing; nothing is saved or sent.
        return redirect("public:thanks", ask.slug, lang)
    problem = challenge.problem_with(request.POST.get("started"))
    if problem is not None:
        return _form_again(request, ask, lang, form, 400, _challenge_message(problem))
    if not form.is_valid():
        return _form_again(request, ask, lang, form, 400)
    data = form.cleaned_data
    email = normalise_email(data["email"])
    if not ratelimit.hit("sign-email", f"{ask.pk}:{email}", settings.PUBLIC_SIGN_RATE_PER_EMAIL):
        return _form_again(request, ask, lang, form, 429, _rate_limited_message())
    as_organisation = data["signing_as"] == AS_ORGANISATION
    sign_on = SignOn(
        as_organisation=as_organisation,
        name=data["name"],
        email=email,
        country=data["country"],
        organisation_name=data["organisation_name"] if as_organisation else "",
        website=data["website"] if as_organisation else "",
        role=data["role"] if as_organisation else "",
        affiliation="" if as_organisation else data["affiliation"],
        public=data["public"],
        newsletter=data["newsletter"],
        language=lang,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        privacy_notice_text=privacy_notice_text(),
    )
    try:
        # The e-mail leaves the request: a task sends it after the sign-up commits, and
        # a failure is for staff to see; the thanks page tells the signer to look for it.
        signature_submit_and_email(
            ask=ask, sign_on=sign_on, base_url=request.build_absolute_uri("/").rstrip("/")
        )
    except ValidationError as error:
        return _form_again(request, ask, lang, form, 400, _refusal_message(error))
    # The same answer whether or not this e-mail signed before.
    return redirect("public:thanks", ask.slug, lang)


def _challenge_message(problem):
    if problem == challenge.TOO_FAST:
        return _("That was very quick. Please check the form and send it again.")
    return _("This form was open for too long. Please check it and send it again.")


def _refusal_message(error):
    # The services speak English to staff; a signer reads the page's language.
    if getattr(error, "code", None) == "ask_not_open":
        return _("This statement is closed for new signatures.")
    return _("This statement cannot be signed this way. Please check the form and try again.")


def _rate_limited_message():
    return _(
        "Too many attempts from your connection or for this e-mail address. "
        "Please wait an hour and try again."
    )


@require_GET
def thanks(request, slug, lang):
    ask = _published_ask(slug)
    lang = _activate(request, ask, lang)
    title, _statement, _lang = ask.text_in(lang)
    return render(request, "public/thanks.html", {"ask": ask, "lang": lang, "title": title})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, slug, lang, token):
    """GET shows a button; only the POST confirms, so mail scanners that open links do not
    use up the single-use link."""
    ask = _published_ask(slug)
    lang = _activate(request, ask, lang)
    title, _statement, _lang = ask.text_in(lang)
    context = {"ask": ask, "lang": lang, "title": title}
    if request.method == "POST":
        try:
            context["signature"] = signature_confirm(token=token)
        except ValidationError as error:
            context["error"] = _link_error(error)
            return render(request, "public/confirm.html", context, status=400)
        return render(request, "public/confirmed.html", context)
    return render(request, "public/confirm.html", context)


def _link_error(error):
    if error.code == "link_used":
        return _("This link has already been used.")
    return _("This link is not valid or has expired. Sign again to get a new one.")


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request, slug, lang, token):
    ask = _published_ask(slug)
    lang = _activate(request, ask, lang)
    title, _statement, _lang = ask.text_in(lang)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    context = {"ask": ask, "lang": lang, "title": title, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            signature_withdraw_by_link(token=token, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            context["error"] = _link_error(error)
            return render(request, "public/withdraw.html", context, status=400)
        return render(request, "public/withdrawn.html", context)
    return render(request, "public/withdraw.html", context)


def _export_rows(ask):
    return [public_row(s) for s in public_signatures(ask=ask).order_by("display_name", "pk")]


@require_GET
def export_csv(request, slug):
    ask = _published_ask(slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ask.slug}-signatories.csv"'
    write_public_csv(response, _export_rows(ask))
    return response


def write_public_csv(out, rows):
    out.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(out)
    writer.writerow(PUBLIC_FIELDS)
    for row in rows:
        writer.writerow([neutralise_formula(row[field]) for field in PUBLIC_FIELDS])


@require_GET
def export_json(request, slug):
    ask = _published_ask(slug)
    counts = public_counts(ask=ask)
    return JsonResponse(
        {
            "statement": ask.title,
            "url": request.build_absolute_uri(ask.get_public_url()),
            "organisations": counts.organisations,
            "individuals": counts.individuals,
            "fields": PUBLIC_FIELDS,
            "signatories": _export_rows(ask),
        },
        json_dumps_params={"ensure_ascii": False},
    )


EMBED_LIST_LENGTH = 10


@require_GET
@xframe_options_exempt
@csp_override({**settings.SECURE_CSP, "frame-ancestors": ["*"]})
def embed(request, slug):
    """A small page partners put in an <iframe>: the counts and the latest names. The only
    view that other sites may frame."""
    ask = _published_ask(slug)
    lang = request.GET.get("lang") or ask.language
    lang = _activate(request, ask, lang if lang in LANGUAGE_NAMES else None)
    title, _statement, _lang = ask.text_in(lang)
    latest = cached(
        ask,
        "public-latest",
        lambda: list(public_signatures(ask=ask).order_by("-signed_at", "-pk")[:EMBED_LIST_LENGTH]),
    )
    return render(
        request,
        "public/embed.html",
        {
            "ask": ask,
            "lang": lang,
            "title": title,
            "counts": cached(ask, "public-counts", lambda: public_counts(ask=ask)),
            "latest": latest,
            "page_url": request.build_absolute_uri(
                reverse("public:statement-lang", args=[ask.slug, lang])
            ),
        },
    )
