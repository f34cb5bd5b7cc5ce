"""<select> written in Python (projects/forms/renderer.py) gives the markup of Django's own template."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html
from django.utils.safestring import mark_safe

from projects.forms.renderer import FormRenderer

CHOICES = [
    ("", "---------"),
    ("a", 'Alpha <b>&"'),
    ("Group & co", [("b", "Beta"), ("c", "Gamma")]),
    (3, "Three"),
]


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.Select(choices=CHOICES, attrs={"class": "form-select", "required": True}), "c"),
        (forms.Select(choices=CHOICES), 3),
        (forms.Select(choices=CHOICES), None),
        (forms.SelectMultiple(choices=CHOICES, attrs={"disabled": False}), ["a", "b"]),
        (forms.NullBooleanSelect(attrs={"id": "id_started"}), True),
        (forms.NullBooleanSelect(), None),
    ],
)
def test_select_is_the_stock_markup(widget, value):
    ours = widget.render("field", value, renderer=FormRenderer())
    stock = widget.render("field", value, renderer=DjangoTemplates())
    assert parse_html(ours) == parse_html(stock)
    assert "<b>" not in ours


class FakeFile:
    """A stored file as a form's initial value: the clearable input shows its link (the template)."""

    url = "/media/a&b.pdf"

    def __str__(self):
        return "a&b <i>.pdf"


INPUT_ATTRS = {
    "class": "form-control",
    "required": True,
    "disabled": False,
    "data-x": None,
    "title": 'a <b> & "c"',
}


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.TextInput(attrs=INPUT_ATTRS), 'Alpha <b>&"'),
        (forms.TextInput(), None),
        (forms.TextInput(), ""),
        (forms.TextInput(), mark_safe("<i>safe</i>")),
        (forms.NumberInput(attrs={"min": 1, "max": 12, "step": "any"}), 7),
        (forms.NumberInput(), Decimal("1234.50")),
        (forms.EmailInput(), "a@b.cn"),
        (forms.URLInput(), "https://x.cn/?a=1&b=2"),
        (forms.PasswordInput(render_value=True), "secret"),
        (forms.PasswordInput(), "secret"),
        (forms.HiddenInput(attrs={"id": "id_next"}), "/projects/?page=1&q=x"),
        (forms.DateInput(attrs={"type": "date"}), datetime.date(2026, 3, 1)),
        (forms.DateTimeInput(), datetime.datetime(2026, 3, 1, 9, 30)),
        (forms.TimeInput(), datetime.time(9, 30)),
        (forms.CheckboxInput(attrs={"class": "form-check-input"}), True),
        (forms.CheckboxInput(), False),
        (forms.CheckboxInput(), "on"),
        (forms.FileInput(), None),
        (forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".pdf,.docx"}), None),
        (forms.ClearableFileInput(), FakeFile()),
        (forms.SearchInput(), ("a", "b")),
        (forms.TelInput(), "13800000000"),
        (forms.ColorInput(), "#ff0000"),
        (forms.Textarea(attrs={"rows": 3, **INPUT_ATTRS}), 'Line 1\n<b>"2"</b> & 3'),
        (forms.Textarea(), ""),
        (forms.Textarea(), None),
        (forms.Textarea(), mark_safe("<i>safe</i>")),
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_input_is_the_stock_markup_character_for_character(widget, value, language):
    from django.utils import translation

    with translation.override(language):
        ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=FormRenderer())
        stock = widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
    assert ours == stock


def test_the_inputs_written_in_python_are_the_stock_include_of_input_html():
    from django.template.loader import get_template

    from projects.forms.renderer import INPUT_TEMPLATES

    for name in INPUT_TEMPLATES:  # not overridden in templates/ either: the renderer would skip it
        source = get_template(name, using="django").template.source
        assert source.strip() == '{% include "django/forms/widgets/input.html" %}', name
    # The <textarea> written in Python is the stock one, not overridden in templates/ either.
    assert "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>" in (
        get_template("django/forms/widgets/textarea.html", using="django").template.source
    )


def test_labels_and_groups_are_escaped():
    html = forms.Select(choices=CHOICES).render("field", "a", renderer=FormRenderer())
    assert "Alpha &lt;b&gt;&amp;&quot;" in html and 'label="Group &amp; co"' in html


def test_a_form_field_renders_the_selected_option():
    class Form(forms.Form):
        colour = forms.ChoiceField(choices=[("red", "Red"), ("green", "Green")])

    html = str(Form({"colour": "green"}, renderer=FormRenderer())["colour"])
    assert parse_html(html) == parse_html(
        '<select name="colour" id="id_colour">'
        '<option value="red">Red</option><option value="green" selected>Green</option></select>'
    )


@pytest.mark.django_db
def test_model_choice_lists_are_read_in_one_fetch_not_through_a_server_side_cursor(zone, monkeypatch):
    from django.db.models import QuerySet

    from projects.filters import ProjectFilter
    from projects.models import Park, Project

    def no_cursor(self, *args, **kwargs):
        raise AssertionError("QuerySet.iterator() opens a server-side cursor on PostgreSQL")

    monkeypatch.setattr(QuerySet, "iterator", no_cursor)
    form = ProjectFilter({}, queryset=Project.objects.all()).form
    html = str(form["park"])
    assert html.count("<option") == Park.objects.count() + 1  # and the empty choice
    assert f'<option value="{zone.park_a.pk}">{zone.park_a.name}</option>' in html
