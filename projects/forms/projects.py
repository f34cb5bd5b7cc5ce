"""A project's master data (projects/services/projects.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .base import DateInput, ProjectVersionMixin, SafeModelChoiceField, StyledFormMixin, role_holders


class ProjectEditForm(StyledFormMixin, ProjectVersionMixin, forms.ModelForm):
    """Name, enterprise, park, investment, planned dates and the people in charge of a project.

    The dates that move the stage are not here: they have their own form (StageDateForm).
    """

    class Meta:
        from ..models import Project
        from ..services.projects import EDITABLE_FIELDS

        model = Project
        fields = EDITABLE_FIELDS
        field_classes = {
            "enterprise": SafeModelChoiceField,
            "park": SafeModelChoiceField,
            "leader": SafeModelChoiceField,
            "grid_worker": SafeModelChoiceField,
            "lead_department": SafeModelChoiceField,
        }
        widgets = {
            "planned_start": DateInput(),
            "planned_completion": DateInput(),
            "total_investment": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "content": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        from ..models import RoleCode

        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = role_holders(RoleCode.LEADER, self.instance.leader_id)
        self.fields["leader"].error_messages["invalid_choice"] = _(
            "Choose a staff member who holds the committee leader role."
        )
        self.fields["grid_worker"].queryset = role_holders(RoleCode.GRID_WORKER, self.instance.grid_worker_id)
        self.fields["grid_worker"].error_messages["invalid_choice"] = _(
            "Choose a staff member who holds the grid worker role."
        )

    def clean(self):
        from ..services.projects import project_edit_errors

        cleaned = super().clean()
        errors = project_edit_errors(
            planned_start=cleaned.get("planned_start"), planned_completion=cleaned.get("planned_completion")
        )
        for name, error in errors.items():
            if name not in self.errors:
                self.add_error(name, error)
        return cleaned
