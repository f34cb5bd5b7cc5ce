"""`/notifications/channels/`: each person chooses how they are reached (e-mail, the WeCom or
DingTalk group, SMS) and keeps their mobile number; the in-app message centre always gets it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import access
from ..forms.accounts import ChannelsForm


def notification_channels(request):
    staff = access.get_staff(request.user)
    if staff is None:
        return render(request, "projects/no_profile.html")
    form = ChannelsForm(request.POST or None, instance=staff)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification channels are saved."))
        return redirect("notification_channels")
    return render(request, "projects/notification_channels.html", {"form": form})
