"""The ledger workbook upload (projects/ledger/)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .base import StyledForm

LEDGER_MAX_BYTES = 10 * 1024 * 1024


class LedgerUploadForm(StyledForm):
    """The ledger workbook; the correction box is offered to administrators only."""

    file = forms.FileField(
        label=_("Ledger file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    as_correction = forms.BooleanField(
        label=_("Import as an administrator's correction of locked months"), required=False
    )

    def __init__(self, *args, allow_correction=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_correction:
            del self.fields["as_correction"]

    def clean_file(self):
        import zipfile

        from django.conf import settings

        upload = self.cleaned_data["file"]
        limit = min(LEDGER_MAX_BYTES, settings.UPLOAD_MAX_BYTES)
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)}
            )
        if not upload.name.lower().endswith(".xlsx") or not zipfile.is_zipfile(upload):
            raise forms.ValidationError(
                _("Please upload an Excel workbook (.xlsx); older .xls files must be saved as .xlsx first.")
            )
        upload.seek(0)
        return upload
