"""Who is who: parks, departments, enterprises and the zone's staff."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import RoleCode


class Park(models.Model):
    """A park of the zone (园区板块), e.g. 航空航天产业园."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("park")
        verbose_name_plural = _("parks")

    def __str__(self):
        return self.name


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class Enterprise(models.Model):
    """The enterprise building a project (建设单位)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self):
        return self.name


class Contact(models.Model):
    """A contact person at an enterprise."""

    enterprise = models.ForeignKey(
        Enterprise, models.CASCADE, related_name="contacts", verbose_name=_("enterprise")
    )
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.name} ({self.title})" if self.title else self.name


class Role(models.Model):
    """One of PRODUCT.md's roles; a staff member may hold several."""

    code = models.CharField(_("code"), max_length=20, choices=RoleCode.choices, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return str(self.get_code_display())


class Staff(models.Model):
    """The zone's profile of a Django user: roles, department and parks."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("department"),
    )
    parks = models.ManyToManyField(Park, blank=True, related_name="staff", verbose_name=_("parks"))
    roles = models.ManyToManyField(Role, blank=True, related_name="staff", verbose_name=_("roles"))
    # Reaching the person (PRODUCT.md "Reaching people before it is late"): the channels they chose
    # besides the in-app message centre, and the mobile number SMS and the DingTalk @-mention use.
    mobile = models.CharField(
        _("mobile number"),
        max_length=11,
        blank=True,
        validators=[RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))],
        help_text=_("Used for SMS and to @-mention the person in DingTalk groups."),
    )
    notify_email = models.BooleanField(_("notify me by e-mail"), default=True)
    notify_wecom = models.BooleanField(_("notify me in the WeCom group"), default=True)
    notify_dingtalk = models.BooleanField(_("notify me in the DingTalk group"), default=True)
    notify_sms = models.BooleanField(_("notify me by SMS"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self):
        return self.name

    def clean(self):
        if self.notify_sms and not self.mobile:
            raise ValidationError({"mobile": _("SMS needs a mobile number.")})

    def role_codes(self):
        """The set of role codes, cached on the instance for the request."""
        if not hasattr(self, "_role_codes"):
            self._role_codes = {role.code for role in self.roles.all()}  # uses a prefetch if any
        return self._role_codes

    def has_role(self, *codes):
        return bool(self.role_codes() & set(codes))

    def wants(self, channel):
        """Whether the person chose to be reached through `channel` (a notifications.Channel)."""
        return getattr(self, f"notify_{channel}", False)
