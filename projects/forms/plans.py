"""Forms of the node plan and of documents (plans area): they parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Department
from .base import (
    DateInput,
    ProjectVersionMixin,
    SafeModelChoiceField,
    StyledForm,
    StyledFormMixin,
    zone_staff,
)
from .progress import StageConfirmationMixin


class NodeForm(StyledFormMixin, StageConfirmationMixin, ProjectVersionMixin):
    """Adjust a node: planned date, responsible person and department (name and key flag for a node
    added by hand)."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    planned_date = forms.DateField(label=_("Planned date"), required=False, widget=DateInput())
    responsible = SafeModelChoiceField(label=_("Responsible person"), queryset=None, required=False)
    department = SafeModelChoiceField(
        label=_("Responsible department"), queryset=Department.objects.all(), required=False
    )
    is_key = forms.BooleanField(label=_("Key node"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, node=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = zone_staff()
        if node is not None and node.template_id:
            # A template's node keeps its name and key flag: the plan stays comparable across projects.
            del self.fields["name"]
            del self.fields["is_key"]


class NodeAddForm(NodeForm):
    name = forms.CharField(label=_("Name"), max_length=200)


class NodeCompleteForm(StyledFormMixin, StageConfirmationMixin, ProjectVersionMixin):
    date = forms.DateField(label=_("Actual date"), widget=DateInput())
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What shows it is done (a permit number, an acceptance record); attach files below."),
    )


class DocumentForm(StyledForm):
    file = forms.FileField(label=_("File"), help_text=_("PDF, images, Word or Excel."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
