"""``{% csp_nonce %}``: the Content-Security-Policy nonce for an inline script we must keep.

Works in templates rendered without the request (form widgets), through ``core.csp``. Used by
the overrides of Wagtail's admin templates in ``core/templates/wagtailadmin/``.
"""

from typing import Any

from django import template

from core.csp import current_nonce

register = template.Library()


@register.simple_tag(takes_context=True)
def csp_nonce(context: Any) -> str:
    """The nonce of the request being rendered (escaped by the template engine)."""
    return current_nonce(context.get("request"))
