"""Django's `i18n` template library, with `{% translate "literal" %}` translated without a lazy string
(settings.TEMPLATES registers this module as "i18n", so `{% load i18n %}` loads it everywhere).

Django's tag wraps each literal in a lazy translation object, then localizes, escapes and converts
it: some 74 calls for one fixed string, and a page writes dozens (a twentieth of a project page;
issue 18). A literal without filters, context or `noop` is translated here directly: the same text
in the current language, marked safe as Django marks a translated literal, percent signs as
Django restores them (tests/test_i18n_tags.py). Every other form is Django's own node.
"""

from django import template
from django.templatetags import i18n
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)


class LiteralTranslateNode(i18n.TranslateNode):
    def __init__(self, node, literal):
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        # Django doubles a literal's percent signs before looking it up (as makemessages wrote it).
        self.msgid = literal.replace("%", "%%")

    def render(self, context):
        value = mark_safe(gettext(self.msgid).replace("%%", "%"))
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    expression = node.filter_expression
    literal = getattr(expression.var, "literal", None)
    if isinstance(literal, str) and not expression.filters and not node.noop and node.message_context is None:
        return LiteralTranslateNode(node, literal)
    return node
