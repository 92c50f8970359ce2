"""The duplicate finder: pairs of contacts or organisations that may be one, scored
0-100, each with the reasons it was suggested.

It scales by blocking: every record gives a few keys (its folded name with the words
sorted, phone, website domain, acronym, name-word prefixes within a country...) and
only records sharing a key are compared, so the work grows with the block sizes, not
with the square of the table. Blocks larger than BLOCK_LIMIT (a very common surname
prefix) are skipped for fuzzy keys: their exact keys still catch same-name pairs there.
Pairs someone marked "not a duplicate" (crm.models.NotDuplicate) are never returned.
"""

import re
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import CharField
from django.db.models.functions import Cast
from rapidfuzz import fuzz

from crm.importing.mapping import header_key
from crm.importing.normalise import split_acronym
from crm.models import Affiliation, Contact, MergedRecord, NotDuplicate, Organisation
from crm.search import fold
from crm.text import FREE_MAIL_DOMAINS

DEFAULT_MIN_SCORE = 70
# How alike two folded names must be (rapidfuzz token_sort_ratio, 0-100) to count.
FUZZY_NAME_CUTOFF = 85
WORD_CUTOFF = 80
BLOCK_LIMIT = 300

# Reasons, as shown in the review queue and the command's output.
SAME_NAME = "same name (accents, case and word order aside)"
SIMILAR_NAME = "similar name ({ratio}%)"
SAME_PHONE = "same phone"
SAME_ORGANISATION = "same organisation"
SAME_EMAIL_USER = "same e-mail user name"
SAME_ORG_NAME = "same name once normalised"
ACRONYM = "acronym of the other's name"
SAME_DOMAIN = "same website domain"
SIMILAR_ORG_NAME = "similar name in the same country ({ratio}%)"
SAME_COUNTRY = "same country"

# Hosts many unrelated organisations have a page on: a shared one says nothing.
SHARED_HOSTS = {
    "facebook.com",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "instagram.com",
    "github.com",
    "gitlab.com",
    "medium.com",
    "wordpress.com",
    "blogspot.com",
    "sites.google.com",
    "google.com",
    "youtube.com",
    "wikipedia.org",
}
# Words left out of initials: "Fondation pour la ..." -> "fp".
_MINOR_WORDS = {
    "of", "for", "the", "and", "in", "on", "de", "des", "du", "la", "le", "les", "et",
    "der", "die", "das", "und", "fur", "van", "voor", "en", "het", "y", "del", "e", "di",
}  # fmt: skip
_WORD = re.compile(r"\w+")


@dataclass
class Pair:
    """Two records that may be one: `first_id` < `second_id`."""

    first_id: int
    second_id: int
    score: int
    reasons: list = field(default_factory=list)

    def as_dict(self):
        return {
            "first_id": self.first_id,
            "second_id": self.second_id,
            "score": self.score,
            "reasons": self.reasons,
        }


def _name_words(value):
    return _WORD.findall(fold(value))


def _blocks(keys_by_id):
    """{key: [ids]} from {id: keys}."""
    blocks = {}
    for pk, keys in keys_by_id.items():
        for key in set(keys):
            blocks.setdefault(key, []).append(pk)
    return blocks


def _candidates(blocks, exact_prefixes):
    """Every pair of ids that share a block (fuzzy blocks over BLOCK_LIMIT skipped)."""
    pairs = set()
    for key, ids in blocks.items():
        if len(ids) < 2:
            continue
        if len(ids) > BLOCK_LIMIT and key[0] not in exact_prefixes:
            continue
        ids.sort()
        pairs.update(combinations(ids, 2))
    return pairs


def _finish(scored, kind, min_score):
    dismissed = NotDuplicate.pairs(kind)
    pairs = [
        p for p in scored if p.score >= min_score and (p.first_id, p.second_id) not in dismissed
    ]
    pairs.sort(key=lambda p: (-p.score, p.first_id, p.second_id))
    return pairs


# --- contacts -------------------------------------------------------------------------------


@dataclass
class _Person:
    name: str  # folded, words sorted
    words: list
    phone: str
    email_user: str
    organisations: set


def _people():
    organisations = {}
    for contact_id, organisation_id in (
        Affiliation.objects.current().values_list("contact_id", "organisation_id").iterator(5000)
    ):
        organisations.setdefault(contact_id, set()).add(organisation_id)
    people = {}
    # The phone as stored (E.164 text), not parsed into PhoneNumber objects: far quicker.
    rows = Contact.objects.values_list(
        "pk", "first_name", "last_name", "email", Cast("phone", CharField())
    )
    for pk, first, last, email, phone in rows.iterator(chunk_size=5000):
        words = sorted(_name_words(f"{first} {last}"))
        user = (email or "").partition("@")[0]
        people[pk] = _Person(
            name=" ".join(words),
            words=words,
            phone=str(phone or ""),
            email_user=user if len(user) >= 4 else "",
            organisations=organisations.get(pk, set()),
        )
    return people


def _person_keys(person):
    keys = []
    if person.name:
        keys.append(("name", person.name))
    if person.phone:
        keys.append(("phone", person.phone))
    # Fuzzy blocks: all the name's words by their first two letters (a typo later in a
    # word, another word order), or by their last two (a typo at the start). Names one
    # typo apart have as many words (see _one_word_apart), so one of the two keys holds.
    if len(person.words) > 1:
        keys.append(("pre", *sorted(w[:2] for w in person.words)))
        keys.append(("suf", *sorted(w[-2:] for w in person.words)))
    elif person.words:
        keys.append(("pre", person.words[0][:3]))
    return keys


def _one_word_apart(a_words, b_words):
    """As many words, each paired with one alike (rapidfuzz ratio >= WORD_CUTOFF), and
    at most one of them spelled differently: 'Ana Lopez' ~ 'Ana Lopes', but not 'Anna
    Jensen' ~ 'Anna Janssen-Silva' or 'Marie Rossi' ~ 'Mario Rosso'."""
    if len(a_words) != len(b_words):
        return False
    others = list(b_words)
    different = 0
    for word in a_words:
        if word in others:
            others.remove(word)
            continue
        best = max(others, key=lambda other: fuzz.ratio(word, other))
        if fuzz.ratio(word, best) < WORD_CUTOFF:
            return False
        others.remove(best)
        different += 1
    return different <= 1


def score_contacts(a, b):
    """(score, reasons) for two people (see _people)."""
    reasons = []
    score = 0
    if a.name and a.name == b.name:
        reasons.append(SAME_NAME)
        score = 85
    elif a.name and b.name and _one_word_apart(a.words, b.words):
        ratio = round(fuzz.token_sort_ratio(a.name, b.name))
        if ratio >= FUZZY_NAME_CUTOFF:
            reasons.append(SIMILAR_NAME.format(ratio=ratio))
            score = ratio - 15
    named = score > 0
    if a.phone and a.phone == b.phone:
        reasons.append(SAME_PHONE)
        score = max(score, 75) + (15 if named else 0)
    if named and a.organisations & b.organisations:
        reasons.append(SAME_ORGANISATION)
        score += 15
    if named and a.email_user and a.email_user == b.email_user:
        reasons.append(SAME_EMAIL_USER)
        score += 10
    return min(score, 100), reasons


def find_contact_duplicates(min_score=DEFAULT_MIN_SCORE):
    """Pairs of contacts that may be one person, best first."""
    people = _people()
    blocks = _blocks({pk: _person_keys(p) for pk, p in people.items()})
    scored = []
    for first, second in _candidates(blocks, exact_prefixes={"name", "phone"}):
        score, reasons = score_contacts(people[first], people[second])
        if score:
            scored.append(Pair(first, second, score, reasons))
    return _finish(scored, MergedRecord.Kind.CONTACT, min_score)


# --- organisations --------------------------------------------------------------------------


# Words for what kind of body an organisation is, in the coalition's languages, by what
# they mean. Left out when two names are compared: "Fondation Liberté Numérique" and
# "Liberté Numérique Foundation" are one name in two languages, "Stichting X" is "X
# Foundation". Folded spellings (header_key): "fundación" is "fundacion".
LEGAL_FORMS = {
    "foundation": "foundation fundacja fondation stiftung stichting fundacion fundacao "
    "fondazione fundatia nadace nadacia saatio stiftelsen stiftelse fonden fundazzjoni",
    "association": "association asociacion vereniging verein associazione stowarzyszenie "
    "associacao asociatia forening foreningen yhdistys sdruzeni udruga drustvo egyesulet",
    "institute": "institute institut instituto istituto instytut instituut",
    "centre": "centre center zentrum centrum centro centar",
    "network": "network netzwerk reseau netwerk rete siec",
    "alliance": "alliance allianz alianza alleanza alianca",
    "coalition": "coalition koalition coalicion coalizione coligacao",
    "initiative": "initiative initiatief iniciativa iniziativa inicjatywa",
}
FORM_OF_WORD = {word: form for form, words in LEGAL_FORMS.items() for word in words.split()}
# Legal suffixes and abbreviations that say nothing about which body it is ("e.V." is
# "e v" once folded; single letters go anyway).
LEGAL_SUFFIXES = {
    "ev", "asbl", "aisbl", "vzw", "gmbh", "ggmbh", "ltd", "limited", "inc", "cic", "ngo",
    "ong", "ry", "ab", "sa", "srl", "bv", "cio", "plc", "eg", "ug", "ps", "aps",
}  # fmt: skip
# Words so common in civil-society names that a name made only of them tells no body
# apart ("Open Data" is not "Open Data Watch").
GENERIC_WORDS = {
    "digital", "rights", "privacy", "freedom", "civil", "liberties", "open", "data",
    "citizens", "watch", "justice", "media", "access", "internet", "society", "council",
    "forum", "transparency", "human", "lab", "action", "democracy", "technology", "public",
    "interest", "voice", "future", "commons", "european", "international", "national",
    "global", "free", "world", "new", "nordic", "balkan", "baltic", "iberian", "alpine",
    "atlantic", "africa", "african", "asia", "latin", "american", "online", "net", "web",
}  # fmt: skip
_CONNECTING_WORDS = _MINOR_WORDS | {
    "pour", "fur", "fuer", "voor", "per", "para", "dla", "a", "an", "al", "zu", "zur",
    "na", "rzecz", "em", "do", "da", "das", "dos",
}  # fmt: skip

SAME_NAME_OTHER_LANGUAGE = "same name in another language ({forms})"
SAME_NAME_WITHOUT_FORM = "same name, one without “{form}”"
SHORT_NAME_OF_LONG = "short name that starts the other's"
SAME_MAIL_DOMAIN = "e-mail at the same domain"


@dataclass
class _Body:
    key: str  # header_key of the name without "(ACRONYM)"
    words: list
    short: set  # acronym, and the name itself when it is one word
    initials: str
    domain: str
    country: str
    acronyms: set = field(default_factory=set)  # the ones it goes by, as written
    core: list = field(default_factory=list)  # the name's words less legal-form words
    forms: set = field(default_factory=set)  # which LEGAL_FORMS the name holds
    mail_domain: str = ""


def initials(words):
    """['european', 'digital', 'rights'] -> 'edr' (minor words left out)."""
    return "".join(w[0] for w in words if w not in _MINOR_WORDS)


def organisation_keys(name, acronym=""):
    """The normalised name and short names an organisation goes by: what the import and
    the finder match on. 'European Digital Rights (EDRi)' -> ('european digital rights',
    {'edri'})."""
    base, in_brackets = split_acronym(name or "")
    key = header_key(base)
    short = {header_key(x) for x in (acronym, in_brackets) if x and header_key(x)}
    if key and " " not in key and len(key) <= 12:
        short.add(key)
    return key, short


def _looks_like_an_acronym(text):
    """'EDRi', 'CCPA' yes; 'Datenwerk' no: two capitals or more, in one short word."""
    text = text.strip()
    return 2 <= len(text) <= 12 and " " not in text and sum(c.isupper() for c in text) >= 2


def name_parts(name, acronym=""):
    """(core words, legal forms, acronyms) of an organisation's name: 'Stichting Open
    Netwerken (SON)' -> (['open', 'netwerken'], {'foundation'}, {'son'})."""
    base, in_brackets = split_acronym(name or "")
    words = header_key(base).split()
    core = [
        w
        for w in words
        if w not in FORM_OF_WORD
        and w not in LEGAL_SUFFIXES
        and w not in _CONNECTING_WORDS
        and len(w) > 1
    ]
    forms = {FORM_OF_WORD[w] for w in words if w in FORM_OF_WORD}
    acronyms = {header_key(x) for x in (acronym, in_brackets) if x and header_key(x)}
    if _looks_like_an_acronym(base):
        acronyms.add(header_key(base))
    return core, forms, acronyms


def _mail_domain(email):
    domain = (email or "").rpartition("@")[2].strip().lower()
    domain = domain.removeprefix("www.")
    return "" if domain in FREE_MAIL_DOMAINS or domain in SHARED_HOSTS else domain


def _bodies():
    bodies = {}
    rows = Organisation.objects.values_list("pk", "name", "acronym", "domain", "country", "email")
    for pk, name, acronym, domain, country, email in rows.iterator(chunk_size=5000):
        key, short = organisation_keys(name, acronym)
        words = key.split()
        core, forms, acronyms = name_parts(name, acronym)
        bodies[pk] = _Body(
            key=key,
            words=words,
            short=short,
            initials=initials(words) if len(words) > 1 else "",
            domain="" if domain in SHARED_HOSTS else domain,
            country=country or "",
            acronyms=acronyms,
            core=core,
            forms=forms,
            mail_domain=_mail_domain(email),
        )
    return bodies


def _body_keys(body):
    keys = []
    if body.key:
        keys.append(("name", body.key))
    # A website's domain meets another's website or general e-mail at that domain.
    for domain in {body.domain, body.mail_domain} - {""}:
        keys.append(("domain", domain))
    # The same name in another language, or with its legal form left out.
    if body.core:
        keys.append(("core", *sorted(body.core)))
        # How a name begins: "Datenwerk" meets "Datenwerk – Centre for Digital Rights".
        if len(body.core[0]) >= 5:
            keys.append(("lead", body.core[0]))
        if len(body.core) >= 2:
            keys.append(("lead", *body.core[:2]))
    # An acronym meets the other's acronym, one-word name or initials in one block.
    for short in body.short:
        keys.append(("short", short))
        if len(short) >= 4 and short[-1].isalpha():
            keys.append(("short", short[:-1]))  # "edri" meets the initials "edr"
    if len(body.initials) >= 2:
        keys.append(("short", body.initials))
    # Fuzzy blocks within a country: all the name's words by their first two letters (a
    # typo later in a word, another order) or by their last two (a typo at the start).
    if body.words:
        keys.append(("pre", body.country, *sorted(w[:2] for w in body.words)))
        keys.append(("suf", body.country, *sorted(w[-2:] for w in body.words)))
    return keys


def _acronym_of(a, b):
    """Whether a's short name stands for b's full name (or both share an acronym)."""
    if a.short & b.short:
        return True
    if b.acronyms:
        # b goes by an acronym of its own: a's must be that one, not "one letter more".
        return any(s == b.initials for s in a.short) and bool(b.initials)
    # "EDRi" for European Digital Rights: one more letter than the initials is allowed.
    return bool(b.initials) and any(
        s == b.initials or (len(b.initials) >= 3 and s[:-1] == b.initials and s[-1].isalpha())
        for s in a.short
    )


def _distinctive(words):
    return any(w not in GENERIC_WORDS and not w.isdigit() for w in words) or len(words) >= 3


def _same_core(a, b):
    """(score, reason) when the names are one once legal-form words are left out."""
    if not a.core or sorted(a.core) != sorted(b.core) or len("".join(a.core)) < 4:
        return 0, ""
    if a.forms and b.forms:
        if a.forms != b.forms:
            return 0, ""  # "X Foundation" and "X Institute": two bodies, often
        if a.key == b.key:
            return 0, ""
        forms = ", ".join(sorted(a.forms))
        return 88, SAME_NAME_OTHER_LANGUAGE.format(forms=forms)
    if not _distinctive(a.core):
        return 0, ""  # "Open Data" and "Open Data Foundation" may well be two
    form = sorted(a.forms or b.forms)
    if not form:
        # "Datenwerk e.V." is "Datenwerk"; the same words in another order are the
        # fuzzy rule's case.
        return (88, SAME_ORG_NAME) if a.core == b.core else (0, "")
    return 82, SAME_NAME_WITHOUT_FORM.format(form=form[0])


def _short_starts_long(a, b):
    """'Datenwerk' ~ 'Datenwerk – Centre for Digital Rights': the shorter name, not an
    acronym and not all common words, is how the longer one begins."""
    short, long = (a, b) if len(a.core) < len(b.core) else (b, a)
    if not short.core or short.acronyms or len(short.core) == len(long.core):
        return False
    return (
        long.core[: len(short.core)] == short.core
        and len("".join(short.core)) >= 5
        and _distinctive(short.core)
    )


def _domains_agree(a, b):
    """(website domains, e-mail domain) agreement: the second counts a general e-mail at
    the other's website domain, or two general e-mails at one domain."""
    same_site = bool(a.domain) and a.domain == b.domain
    mail = bool(
        (a.mail_domain and a.mail_domain in (b.domain, b.mail_domain))
        or (b.mail_domain and b.mail_domain == a.domain)
    )
    return same_site, mail and not same_site


def score_organisations(a, b):
    reasons = []
    score = 0
    if a.key and a.key == b.key:
        reasons.append(SAME_ORG_NAME)
        score = 90
    core_score, core_reason = _same_core(a, b)
    if core_score and core_reason not in reasons:
        reasons.append(core_reason)
        score = max(score, core_score)
    same_site, same_mail = _domains_agree(a, b)
    if same_site:
        reasons.append(SAME_DOMAIN)
        score = max(score, 85)
    if same_mail:
        reasons.append(SAME_MAIL_DOMAIN)
        score = max(score, 80)
    if _acronym_of(a, b) or _acronym_of(b, a):
        reasons.append(ACRONYM)
        score = max(score, 75 if a.short & b.short else 72)  # an acronym alone is weak
    if _short_starts_long(a, b):
        reasons.append(SHORT_NAME_OF_LONG)
        score = max(score, 75)
    if not score and a.country == b.country and a.key and b.key:
        ratio = round(fuzz.token_sort_ratio(a.key, b.key))
        if ratio >= FUZZY_NAME_CUTOFF and min(len(a.key), len(b.key)) >= 6:
            reasons.append(SIMILAR_ORG_NAME.format(ratio=ratio))
            score = ratio - 15
    if not score:
        return 0, []
    if len(reasons) > 1:
        score += 5 * (len(reasons) - 1)
    if a.country and a.country == b.country:
        reasons.append(SAME_COUNTRY)
        score += 5
    elif a.country and b.country:
        score -= 15  # two countries: more likely two national branches
    # Two different acronyms ("CCP", "CCPA") are two bodies unless more than their names
    # says otherwise: kept under the review threshold.
    other_acronyms = a.acronyms and b.acronyms and not a.acronyms & b.acronyms
    if other_acronyms and not (same_site or same_mail or SAME_ORG_NAME in reasons):
        score = min(score, DEFAULT_MIN_SCORE - 10)
    return max(0, min(score, 100)), reasons


def find_organisation_duplicates(min_score=DEFAULT_MIN_SCORE):
    """Pairs of organisations that may be one, best first."""
    bodies = _bodies()
    blocks = _blocks({pk: _body_keys(b) for pk, b in bodies.items()})
    scored = []
    for first, second in _candidates(blocks, exact_prefixes={"name", "domain", "core"}):
        score, reasons = score_organisations(bodies[first], bodies[second])
        if score:
            scored.append(Pair(first, second, score, reasons))
    return _finish(scored, MergedRecord.Kind.ORGANISATION, min_score)


FINDERS = {
    MergedRecord.Kind.CONTACT: find_contact_duplicates,
    MergedRecord.Kind.ORGANISATION: find_organisation_duplicates,
}
