"""Sign-in, password change and a person's notification channels."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm

from .base import StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    pass


class PasswordChangeForm(StyledFormMixin, auth_forms.PasswordChangeForm):
    pass


class ChannelsForm(StyledFormMixin, forms.ModelForm):
    """The channels a person is reached through besides the message centre, and their mobile number."""

    class Meta:
        from ..models import Staff

        model = Staff
        fields = ["notify_email", "notify_wecom", "notify_dingtalk", "notify_sms", "mobile"]
        widgets = {"mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})}
