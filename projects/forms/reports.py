"""The monthly round: one line per project, and corrections of locked figures."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .base import StyledForm, StyledFormMixin, money_field


class RoundRowForm(StyledFormMixin, forms.Form):
    """One project's line of the monthly round; it carries the value it was loaded with."""

    project = forms.IntegerField(widget=forms.HiddenInput)
    amount = money_field(label=_("This month (10k yuan)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    original_amount = forms.CharField(widget=forms.HiddenInput, required=False)
    original_note = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(label=_("Yes, this figure is right"), required=False)

    def clean_original_amount(self):
        from decimal import Decimal, InvalidOperation

        value = self.cleaned_data["original_amount"]
        if value in ("", None):
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():  # NaN, sNaN and Infinity are no figure
            raise forms.ValidationError(_("Reload the page."))
        return amount


RoundFormSet = forms.formset_factory(RoundRowForm, extra=0, max_num=2000, absolute_max=2000)


class CorrectionRequestForm(StyledForm):
    new_amount = money_field(label=_("Correct figure (10k yuan)"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CorrectionDecisionForm(StyledForm):
    note = forms.CharField(label=_("Comment (optional)"), max_length=200, required=False)
