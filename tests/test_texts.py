"""The lists' shortened texts and dates read exactly as Django's Truncator and date_format write them."""

import datetime

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import Truncator

from projects.numbers import date_text
from projects.texts import shortened

TEXTS = [
    "",
    "短",
    "企业反映施工用电容量不足",
    "x" * 60,
    "x" * 61,
    "企" * 59 + "业反映",
    "e\u0301" * 40,  # 80 code points, 40 characters: Truncator counts the combining accents as nothing
    "Cafe\u0301 <b>&",  # decomposed: both give it composed
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("length", [1, 50, 60])
def test_shortened_is_truncators(text, length):
    assert shortened(text, length) == Truncator(text).chars(length)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_date_text_is_date_format(language, settings):
    days = [datetime.date(2026, 1, 5), datetime.date(1999, 12, 31), datetime.date(2026, 10, 1)]
    with translation.override(language):
        date = date_text()
        assert [date(day) for day in days] == [date_format(day) for day in days]
    assert date_format(days[0]) == "2026-01-05"


def test_date_text_follows_another_date_format(settings):
    settings.FORMAT_MODULE_PATH = None
    settings.DATE_FORMAT = "j N Y"
    with translation.override(None):
        day = datetime.date(2026, 3, 1)
        assert date_text()(day) == date_format(day) == "1 March 2026"
