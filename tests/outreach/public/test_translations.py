"""Every word of the public pages is translated in every language they offer."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
EMPTY_MSGSTR = re.compile(r'^msgstr(\[\d\])? ""\n(?!")', re.MULTILINE)


@pytest.mark.parametrize("lang", [code for code, _name in settings.LANGUAGES if code != "en"])
def test_every_public_string_is_translated(lang):
    po = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    mo = LOCALE / lang / "LC_MESSAGES" / "django.mo"

    # The header's msgstr is the only one that may start empty (it continues on the
    # next lines).
    assert EMPTY_MSGSTR.findall(po) == []
    assert po.count("\nmsgid ") > 80
    # The compiled catalogue (committed: CI may lack gettext) holds every entry of the .po.
    with mo.open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    singular = {key if isinstance(key, str) else key[0] for key in catalog} - {""}
    assert len(singular) == po.count("\nmsgid ") - 1
