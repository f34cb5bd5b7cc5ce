"""Admin autocomplete widgets that survive junk.

Django's autocomplete widget looks the submitted value up to re-show it: `project=abc` on an admin
form becomes `id__in={'abc'}` and a 500 instead of the form's own "Select a valid choice" error.
These widgets drop values the target field cannot hold before that lookup.
"""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


class _ValidValuesOnly:
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = (
            remote.model._meta.get_field(remote.field_name) if remote.field_name else remote.model._meta.pk
        )
        valid = []
        for item in value:
            try:
                target.run_validators(target.to_python(item))  # a number in the column's range
            except (ValidationError, TypeError, ValueError):
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(_ValidValuesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidValuesOnly, AutocompleteSelectMultiple):
    pass


class GuardedAutocomplete:
    """Mixed into a ModelAdmin or inline with `autocomplete_fields`: uses the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
