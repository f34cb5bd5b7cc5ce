"""Errors the services raise besides ValidationError and PermissionDenied, and the one optimistic lock."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What the user reads when their form was stale, by the model it was for.
STALE_MESSAGES = {
    "project": _("Someone else changed this project in the meantime. Reload the page and try again."),
    "issue": _("Someone else changed this issue meanwhile. Reload it and try again."),
}


class StaleVersion(ValidationError):
    """The object changed since the form was shown (its `version` moved on): reload and try again.

    A ValidationError, so a form shows it like any other refusal; views that redirect instead catch
    it first.
    """

    def __init__(self, model_name="project"):
        super().__init__(STALE_MESSAGES.get(model_name, STALE_MESSAGES["project"]), code="stale")


# The issue services' former name for the same error.
StaleObjectError = StaleVersion


def check_version(instance, expected_version):
    """The one optimistic-lock check: StaleVersion if `instance` (just read under its row lock) is no
    longer at the version the form was shown with (None or "" = no check, e.g. a command)."""
    if expected_version not in (None, "") and instance.version != int(expected_version):
        raise StaleVersion(instance._meta.model_name)
    return instance


def lock_version(instance, expected_version=None):
    """Re-read `instance` in place under a row lock, then `check_version`.

    The caller is inside a transaction, which holds the lock, so its own `version += 1` cannot race.
    """
    instance.refresh_from_db(from_queryset=type(instance)._default_manager.select_for_update())
    return check_version(instance, expected_version)
