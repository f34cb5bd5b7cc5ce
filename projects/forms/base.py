"""What every form shares: Bootstrap classes, service errors on fields, safe choice fields,
date and money widgets, the optimistic-lock version."""

from django import forms


class FetchedChoiceIterator(forms.models.ModelChoiceIterator):
    """A model choice list read in one fetch. Django's iterator reads it through
    QuerySet.iterator(), a server-side cursor on PostgreSQL (four round trips for a few dozen
    staff); the field's own queryset (a copy per form) keeps the rows for the form's lifetime."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class StyledFormMixin:
    """Gives every widget Bootstrap's classes, so templates stay plain `{{ field }}`, and reads
    model choice lists in one fetch."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(field, forms.ModelChoiceField) and getattr(field, "null_label", None) is None:
                field.iterator = FetchedChoiceIterator
                widget.choices = field.choices
            if isinstance(widget, (forms.CheckboxInput,)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StyledForm(StyledFormMixin, forms.Form):
    pass


def add_service_errors(form, error, rename=None):
    """Show a service's ValidationError on the form (STYLE.md 15: the service refuses, the form shows):
    each message on its field when the form has it — `rename` maps a service's key to the form's
    field name — else at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        field = (rename or {}).get(key, key)
        form.add_error(field if field in form.fields else None, errors)


# The largest primary key the databases store; a bigger number is an invalid choice, not a crash
# (SQLite raises OverflowError on it; found by fuzzing).
MAX_PK = 2**63 - 1


def pk_in_range(value):
    try:
        return 0 < int(str(value)) <= MAX_PK
    except (TypeError, ValueError):
        return False


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not pk_in_range(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not pk_in_range(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes instead of a multi-select: easier with a thumb on a phone."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.attrs["class"] = "form-check-input"


class StyledCheckboxMixin:
    """StyledFormMixin gives every widget a form-control; checkbox lists want form-check-input."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"


def zone_staff():
    from ..models import Staff

    return Staff.objects.filter(roles__isnull=False).distinct().order_by("name")


def money_field(**kwargs):
    from django.core.validators import MinValueValidator

    return forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


class ProjectVersionMixin(forms.Form):
    """Carries the project's version the form was loaded with (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def role_holders(role, current_pk=None):
    """Staff holding `role`, plus the project's current person (who may have lost the role since)."""
    from django.db.models import Q

    from ..models import Staff

    holders = Q(roles__code=role)
    if current_pk:
        holders |= Q(pk=current_pk)
    return Staff.objects.filter(holders).distinct().order_by("name")
