"""The OSDI (Open Supporter Data Interface) API at /api/osdi/v1/: people, petitions,
signatures, tags and taggings in HAL+JSON, and the record signature helper.

It reads crm and outreach and writes only through their services; neither of them
imports it. docs/interop.md is the user's page.
"""
