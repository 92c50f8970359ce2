"""A seeded set of contacts and organisations with known duplicates, for the finder's
precision and recall (tests/crm/test_duplicates.py) and its benchmark (bench/)."""

import random

from crm.models import Contact, Organisation, website_domain

FIRST = [
    "Ana", "José", "Zoë", "Søren", "Łukasz", "Marie", "Jean", "Olga", "Chloé", "Björn",
    "Mehmet", "Aisha", "Ingrid", "Pádraig", "Noémie", "Tomás", "Yusuf", "Eszter", "Katarzyna",
    "Dmitri", "Fatima", "Hannah", "Lars", "Camille", "Matteo", "Sofía", "Ahmed", "Elif",
    "Nikos", "Ilse", "Jakub", "Mirela", "Oskar", "Renée", "Sven", "Teodora", "Ugo", "Vesna",
]  # fmt: skip
LAST = [
    "López", "Müller", "Nowak", "Dubois", "Jensen", "Rossi", "García", "Ionescu", "Kowalski",
    "Papadopoulos", "Öztürk", "Ó Súilleabháin", "Fernández", "Lindqvist", "Horváth", "Popescu",
    "Petrović", "Schneider", "Van den Berg", "De Vries", "Martins", "Silva", "Kuznetsova",
    "Bianchi", "Lefèvre", "Nielsen", "Janssen", "Kovač", "Virtanen", "Zielińska", "Berisha",
    "Andersson", "Moreau", "Costa", "Šimić", "Walsh", "Yılmaz", "Haddad", "Laurent", "Keller",
]  # fmt: skip
ORG_WORDS = [
    "Digital", "Rights", "Privacy", "Freedom", "Civil", "Liberties", "Open", "Data", "Citizens",
    "Watch", "Justice", "Network", "Media", "Access", "Internet", "Society", "Foundation",
    "Council", "Alliance", "Forum", "Transparency", "Human", "Lab", "Institute", "Action",
    "Democracy", "Technology", "Public", "Interest", "Coalition", "Voice", "Future", "Commons",
]  # fmt: skip
ORG_PREFIX = ["European", "Nordic", "Balkan", "Baltic", "Iberian", "Alpine", "Atlantic", ""]
COUNTRIES = ["DE", "FR", "NL", "BE", "ES", "IT", "PL", "SE", "DK", "AT", "PT", "IE", "GR", "CZ"]


def _strip_accents(value):
    from crm.search import fold

    return " ".join(w.capitalize() for w in fold(value).split())


def _key(first, last):
    from crm.search import fold

    return " ".join(sorted(fold(f"{first} {last}").replace("-", " ").split()))


def _typo(rng, value):
    letters = [i for i, c in enumerate(value) if c.isalpha()]
    if len(letters) < 5:
        return value + "e"
    i = rng.choice(letters[2:])
    return value[:i] + value[i + 1 :]  # a letter left out


def _contact_variant(rng, first, last, phone):
    options = ["accents", "case", "order", "typo"] + (["phone"] if phone else [])
    how = rng.choice(options)
    if how == "accents":
        return _strip_accents(first), _strip_accents(last), "", how
    if how == "case":
        return first.upper(), last.lower(), "", how
    if how == "order":
        return last, first, "", how
    if how == "typo":
        return first, _typo(rng, last), "", how
    return first[0] + ".", last, phone, how  # initial only, same phone


def build_contacts(n, *, duplicate_share=0.1, seed=7):
    """`n` distinct people plus about `n * duplicate_share` duplicates of some of them.
    Returns the set of (smaller id, larger id) pairs that are truly one person."""
    rng = random.Random(seed)
    people, seen = [], set()
    while len(people) < n:
        first = rng.choice(FIRST)
        last = rng.choice(LAST)
        # Distinct people: a double-barrelled surname or a middle name tells them apart.
        if _key(first, last) in seen:
            last = f"{last}-{rng.choice(LAST)}"
        if _key(first, last) in seen:
            first = f"{first} {rng.choice(FIRST)}"
        if _key(first, last) in seen:
            continue
        seen.add(_key(first, last))
        phone = f"+3161{len(people):07d}" if rng.random() < 0.5 else ""
        people.append((first, last, phone))
    rows = [
        Contact(
            first_name=first,
            last_name=last,
            phone=phone,
            email=f"person{i}@example.org",
            country=rng.choice(COUNTRIES),
        )
        for i, (first, last, phone) in enumerate(people)
    ]
    originals = Contact.objects.bulk_create(rows, batch_size=2000)
    variants, of = [], []
    for index in rng.sample(range(n), int(n * duplicate_share)):
        first, last, phone = people[index]
        v_first, v_last, v_phone, _how = _contact_variant(rng, first, last, phone)
        variants.append(
            Contact(
                first_name=v_first,
                last_name=v_last,
                phone=v_phone,
                email=f"dup{index}@mail.example",
            )
        )
        of.append(originals[index].pk)
    variants = Contact.objects.bulk_create(variants, batch_size=2000)
    return {tuple(sorted((pk, v.pk))) for pk, v in zip(of, variants, strict=True)}


def _org_name(rng):
    words = rng.sample(ORG_WORDS, rng.choice([2, 3]))
    prefix = rng.choice(ORG_PREFIX)
    return " ".join([prefix, *words]).strip()


def build_organisations(n, *, duplicate_share=0.1, seed=11):
    """`n` distinct organisations plus duplicates of some: the acronym alone, the name
    with "(ACRONYM)", another case or accents, a typo in the same country, or the same
    website under another name. Returns the true duplicate pairs."""
    from crm.duplicates import initials, organisation_keys

    rng = random.Random(seed)
    bodies, names, acronyms = [], set(), set()
    while len(bodies) < n:
        name = _org_name(rng)
        acronym = initials(organisation_keys(name)[0].split()).upper()
        if len(bodies) >= 300:
            name = f"{name} {len(bodies)}"  # beyond the word combinations: numbered
        key, _short = organisation_keys(name)
        if key in names:
            continue
        names.add(key)
        if acronym in acronyms or len(acronym) < 3:
            acronym = ""
        acronyms.add(acronym)
        website = f"https://www.org{len(bodies)}.example.org/" if rng.random() < 0.6 else ""
        bodies.append((name, acronym, website, rng.choice(COUNTRIES)))
    originals = Organisation.objects.bulk_create(
        [
            Organisation(
                name=name,
                acronym=acronym,
                website=website,
                domain=website_domain(website),
                country=country,
            )
            for name, acronym, website, country in bodies
        ],
        batch_size=2000,
    )
    variants, of = [], []
    for index in rng.sample(range(n), int(n * duplicate_share)):
        name, acronym, website, country = bodies[index]
        options = ["case", "typo"] + (["acronym", "bracket"] if acronym else [])
        options += ["website"] if website else []
        how = rng.choice(options)
        fields = {"name": name, "country": country}
        if how == "case":
            fields["name"] = name.upper()
        elif how == "typo":
            fields["name"] = _typo(rng, name)
        elif how == "acronym":
            fields["name"] = acronym
        elif how == "bracket":
            fields["name"] = f"{name} ({acronym})"
        else:
            fields.update(
                name=f"{rng.choice(ORG_WORDS)} {index}",
                website=website,
                domain=website_domain(website),
            )
        variants.append(Organisation(**fields))
        of.append(originals[index].pk)
    variants = Organisation.objects.bulk_create(variants, batch_size=2000)
    return {tuple(sorted((pk, v.pk))) for pk, v in zip(of, variants, strict=True)}


def precision_recall(found_pairs, true_pairs):
    found = {(p.first_id, p.second_id) for p in found_pairs}
    hits = len(found & true_pairs)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    return precision, recall
