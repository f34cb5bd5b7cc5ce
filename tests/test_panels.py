"""panel_fields (projects/templatetags/panels.py) writes a filter form's fields exactly as the
template loop it replaced wrote them: ids, labels, widgets, ranges and errors, escaped alike."""

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from django_filters.fields import DateRangeField
from django_filters.widgets import RangeWidget

from projects.filters import IssueFilter, ProjectFilter
from projects.templatetags.panels import panel_fields

# The loop of templates/_filter_panel.html before it became panel_fields.
LOOP = Template(
    "{% for field in form %}{# A range (from–to) has two inputs: it gets a wider column. #}\n"
    "      {% with is_range=field.field.widget.widgets %}\n"
    '      <div class="col-6 col-md-3 col-xl-2{% if is_range %} col-12 col-md-6 col-xl-4{% endif %}">\n'
    '        <label class="form-label small mb-0" for="{{ field.id_for_label }}">{{ field.label }}</label>\n'
    '        {% if is_range %}<div class="d-flex gap-1">{{ field }}</div>{% else %}{{ field }}{% endif %}\n'
    '        {% for error in field.errors %}<div class="invalid-feedback d-block">{{ error }}</div>'
    "{% endfor %}\n"
    "      </div>\n"
    "      {% endwith %}\n"
    "    {% endfor %}"
)


class Tricky(forms.Form):
    name = forms.CharField(label='<b>"名称"</b> & co', max_length=3)
    when = DateRangeField(label="Range", widget=RangeWidget(attrs={"type": "date"}), required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("a", "<A>"), ("b", "B & b")])
    hidden_id = forms.CharField(label="No id", required=False, widget=forms.TextInput(attrs={"id": ""}))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "form",
    [
        lambda: Tricky(),
        lambda: Tricky({"name": "<script>toolong", "kind": "z", "when_after": "x"}),
        lambda: Tricky({"name": "ok", "kind": "b"}),
    ],
)
def test_the_same_markup_as_the_loop(form, language):
    with translation.override(language):
        form = form()
        assert str(panel_fields(form)) == LOOP.render(Context({"form": form}))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filterset, data",
    [
        (ProjectFilter, {}),
        (ProjectFilter, {"year": "abc", "park": "999999", "month": "13", "q": '"><b>'}),
        (IssueFilter, {}),
        (IssueFilter, {"raised_from": "bad", "level": "9", "q": "<i>"}),
    ],
)
def test_the_lists_filters_as_the_loop_wrote_them(zone, rf, filterset, data):
    request = rf.get("/", data)
    request.user = zone.coordinator
    form = filterset(data or None, queryset=filterset._meta.model.objects.all(), request=request).form
    form.is_valid()
    assert str(panel_fields(form)) == LOOP.render(Context({"form": form}))
