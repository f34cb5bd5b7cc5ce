"""Errors the services raise besides ValidationError and PermissionDenied."""


class StaleObjectError(Exception):
    """The object changed since the form was shown (its version moved on): reload and try again."""
