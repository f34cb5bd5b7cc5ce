"""<select> written in Python (projects/forms/renderer.py) gives the markup of Django's own template."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html

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
