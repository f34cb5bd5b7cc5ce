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


class ProjectLocationForm(StyledFormMixin, ProjectVersionMixin):
    """A project's point (number inputs that work without JavaScript; the map moves them) and outline."""

    longitude = forms.DecimalField(
        label=_("Longitude (经度)"),
        max_digits=9,
        decimal_places=6,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        help_text=_("East of Greenwich, e.g. 119.620000. Empty both to take the project off the map."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude (纬度)"),
        max_digits=9,
        decimal_places=6,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        help_text=_("North of the equator, e.g. 32.150000."),
    )
    outline = forms.CharField(
        label=_("Outline (GeoJSON, optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_("The site's boundary as a GeoJSON Polygon, e.g. exported from a GIS."),
    )

    def clean(self):
        from ..geo import outline_check, point_errors

        cleaned = super().clean()
        if "longitude" in cleaned and "latitude" in cleaned:
            for name, error in point_errors(cleaned["longitude"], cleaned["latitude"]).items():
                self.add_error(name, error)
        if cleaned.get("outline"):
            try:
                outline_check(cleaned["outline"])
            except forms.ValidationError as error:
                self.add_error("outline", error)
        return cleaned
