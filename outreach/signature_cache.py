"""Figures read from many signatures (an ask's public counts and list pages, its report
series), kept in the cache until a signature they depend on changes.

Every cached figure's key holds versions that writers bump: one per ask (any
signature of the ask saved or deleted), one for "any ask" (the reports across asks), and
one for everything (organisations, tags, merges and erasure, which reach across asks).
A bump happens at once, so the writer's own connection reads fresh figures, and again
after the transaction commits, so that a figure another process computed from the data
as it was before the commit, and stored under the first bump's version, is never read.

Caching is on only where the cache is shared by every process that writes signatures
(Redis, with the web processes and the task worker): `SIGNATURE_FIGURES_CACHE_SECONDS`,
0 without REDIS_URL. The timeout also bounds how long a change that no writer reports
(a bulk SQL update made by hand) can stay unseen.
"""

import threading
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

EVERYTHING = "everything"
ANY_ASK = "any-ask"

_pending = threading.local()


def _version_key(scope):
    return f"signature-figures:version:{scope}"


def _bump(scopes):
    # A new random version rather than a count: one round trip to Redis for all the
    # scopes, and two processes bumping at once still each leave a version never seen.
    cache.set_many({_version_key(scope): uuid.uuid4().hex for scope in scopes}, timeout=None)


def _bump_pending():
    scopes = getattr(_pending, "scopes", set())
    _pending.scopes = set()
    _bump(scopes)


def signatures_changed(*, ask_ids=(), everything=False):
    """Mark the cached figures of `ask_ids` (or, with `everything`, of every ask) stale,
    now and once more when the current transaction commits."""
    scopes = {EVERYTHING} if everything else {ANY_ASK, *(f"ask-{pk}" for pk in ask_ids)}
    _bump(scopes)
    # Scopes left by a transaction that rolled back are bumped by the next commit:
    # one needless recomputation, never a stale figure.
    _pending.scopes = getattr(_pending, "scopes", set()) | scopes
    transaction.on_commit(_bump_pending)


def cached(ask, name, compute, **params):
    """compute(), or its value cached for `ask` (None: across asks) under `name` and
    `params` (plain values), as long as nothing it was read from has changed."""
    key = figures_key(ask, name, **params)
    if key is None:
        return compute()
    return cache.get_or_set(key, compute, settings.SIGNATURE_FIGURES_CACHE_SECONDS)


def figures_key(ask, name, **params):
    """The cache key of a figure of `ask` (None: across asks) that changes whenever what
    it is read from changes; None when caching is off."""
    if not settings.SIGNATURE_FIGURES_CACHE_SECONDS:
        return None
    scopes = [EVERYTHING, ANY_ASK] if ask is None else [EVERYTHING, f"ask-{ask.pk}"]
    versions = cache.get_many([_version_key(scope) for scope in scopes])
    for scope in scopes:
        if _version_key(scope) not in versions:  # never bumped yet, or evicted
            cache.add(_version_key(scope), uuid.uuid4().hex, timeout=None)
            versions[_version_key(scope)] = cache.get(_version_key(scope))
    stamp = ".".join(str(versions[_version_key(scope)]) for scope in scopes)
    if ask is not None:
        # The ask's own settings (what counts, its target) change its figures too.
        stamp += f".{ask.updated_at.timestamp()}"
    return f"signature-figures:{ask.pk if ask else 'all'}:{name}:{stamp}:{urlencode(params)}"


def _part_of_ask_changed(sender, instance, **kwargs):
    signatures_changed(ask_ids=[instance.ask_id])


def _ask_saved(sender, instance, **kwargs):
    # Its own figures follow its updated_at; the reports across asks show its title.
    signatures_changed(ask_ids=[instance.pk])


def _reaches_across_asks(sender, **kwargs):
    signatures_changed(everything=True)


def connect():
    """Called once from OutreachConfig.ready()."""
    from crm.models import Contact, Organisation
    from outreach.models import Ask, AskTranslation, Campaign, Signature

    # Its signatures, and its translations (the statement page is cached as rendered).
    for model in (Signature, AskTranslation):
        post_save.connect(_part_of_ask_changed, sender=model, weak=False)
        post_delete.connect(_part_of_ask_changed, sender=model, weak=False)
    post_save.connect(_ask_saved, sender=Ask, weak=False)
    # An organisation's name, website and kind show in the lists and the reports.
    post_save.connect(_reaches_across_asks, sender=Organisation, weak=False)
    # A campaign's name heads its statements' pages.
    post_save.connect(_reaches_across_asks, sender=Campaign, weak=False)
    # Deleting an ask takes its signatures with it.
    post_delete.connect(_reaches_across_asks, sender=Ask, weak=False)
    # Cause tags make a report's breakdown by cause.
    for model in (Organisation, Contact):
        m2m_changed.connect(_reaches_across_asks, sender=model.tags.through, weak=False)
