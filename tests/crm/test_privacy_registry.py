from dataclasses import replace

from django.apps import apps

from crm.privacy import NOT_PERSONAL, REGISTRY, registry_gaps, text_fields


def test_every_model_with_text_about_people_is_in_the_registry_or_excluded_with_a_reason():
    assert registry_gaps() == []


def test_every_exclusion_gives_a_reason_and_names_a_real_model():
    for label, reason in NOT_PERSONAL.items():
        assert apps.get_model(label) and len(reason) > 10, label


def test_the_registry_names_only_real_fields():
    for entry in REGISTRY:
        model = entry.model
        names = {*entry.erase, *entry.scrub, *entry.json, *entry.not_personal}
        for name in names:
            model._meta.get_field(name)
        for lookup in entry.person:
            assert model._default_manager.filter(**{lookup: 0}).query is not None


def test_it_reports_a_model_left_out():
    without_contacts = [entry for entry in REGISTRY if entry.label != "crm.contact"]

    assert registry_gaps(registry=without_contacts) == [
        "crm.contact: not in crm.privacy.REGISTRY nor NOT_PERSONAL "
        f"({text_fields(apps.get_model('crm.contact'))})"
    ]


def test_it_reports_a_text_field_left_out():
    registry = [
        replace(entry, scrub=()) if entry.label == "outreach.activity" else entry
        for entry in REGISTRY
    ]

    assert registry_gaps(registry=registry) == ["outreach.activity.summary: not covered"]


def test_historical_models_and_import_reports_are_covered():
    labels = {entry.label for entry in REGISTRY}
    assert {"crm.historicalcontact", "outreach.historicalsignature", "crm.importrecord"} <= labels
    assert "crm.importchange" in labels
