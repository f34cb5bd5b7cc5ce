"""The Chinese catalog is complete, its placeholders match, and the committed .mo is compiled from it."""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

BASE_DIR = Path(__file__).resolve().parent.parent
PO = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@pytest.fixture(scope="module")
def catalog():
    return polib.pofile(str(PO))


def translations(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def placeholders(text):
    return sorted(re.findall(r"%\((\w+)\)", text))


def test_no_untranslated_entries(catalog):
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    assert untranslated == []


def test_no_fuzzy_entries(catalog):
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    assert not catalog.metadata_is_fuzzy


def test_placeholders_survive_translation(catalog):
    wrong = [
        (entry.msgid, text)
        for entry in catalog.translated_entries()
        for text in translations(entry)
        if placeholders(entry.msgid) != placeholders(text)
    ]
    assert wrong == []


def test_committed_mo_is_compiled_from_the_po(catalog, tmp_path):
    compiled = tmp_path / "django.mo"
    catalog.save_as_mofile(str(compiled))
    fresh = polib.mofile(str(compiled))
    committed = polib.mofile(str(MO))
    assert len(committed) == len(fresh)

    def pairs(mo):
        return {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo}

    assert pairs(committed) == pairs(fresh), "run `make messages` and commit the .mo"


def test_chinese_is_served():
    with translation.override("zh-hans"):
        assert translation.gettext("Projects") == "项目"
        assert translation.gettext("Grid help") == "网格帮办"
    with translation.override("en"):
        assert translation.gettext("Projects") == "Projects"
