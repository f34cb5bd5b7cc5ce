"""newzone/i18n_tags.py: `{% translate %}` writes what Django's own tag writes, in every form."""

import pytest
from django.template import Context, Engine, engines
from django.utils import translation

from newzone import i18n_tags

DJANGO = Engine(libraries={"i18n": "django.templatetags.i18n"})
OURS = Engine(libraries={"i18n": "newzone.i18n_tags"})

TEMPLATES = [
    '{% translate "Projects" %}',
    '{% trans "My work" %} · {% translate "Dashboard" %}',
    '{% translate "Not in the catalog <b>&amp; it\'s" %}',
    '{% translate "50% done, 50%% kept, %(name)s" %}',
    '{% translate "Projects" as label %}[{{ label }}]',
    '{% translate "Projects" noop %}',
    '{% translate "May" context "month name" %}',
    "{% translate word %}",
    '{% translate "Projects"|upper %}',
    '{% autoescape off %}{% translate "a < b" %}{% endautoescape %}',
    "{% blocktranslate %}Error {{ word }}{% endblocktranslate %}",
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("source", TEMPLATES)
def test_the_same_output_as_djangos_tag(source, language):
    context = {"word": "<Projects>"}
    with translation.override(language):
        ours = OURS.from_string("{% load i18n %}" + source).render(Context(context))
        django = DJANGO.from_string("{% load i18n %}" + source).render(Context(context))
    assert ours == django


def test_a_literal_is_translated_in_the_language_of_each_render():
    template = OURS.from_string('{% load i18n %}{% translate "Projects" %}')
    with translation.override("zh-hans"):
        assert template.render(Context()) == "项目"
    with translation.override("en"):
        assert template.render(Context()) == "Projects"


def test_the_site_loads_it_as_i18n():
    assert engines["django"].engine.template_libraries["i18n"] is i18n_tags.register


def test_no_other_template_library_name_is_used_twice():
    # templates.W003 is silenced for the deliberate "i18n" (settings.SILENCED_SYSTEM_CHECKS).
    warnings = engines["django"]._check_for_template_tags_with_the_same_name()
    assert [w.id for w in warnings] == ["templates.W003"]
    assert "'i18n' is used for multiple template tag modules" in warnings[0].msg
