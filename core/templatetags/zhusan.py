"""Template tags and filters of ours: trainer-written text (always rendered through the
sanitiser), durations, the language links, and the panels other apps contribute to a page."""

import functools
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from core.html import render_markdown, sanitize_html
from core.page_cache import page_memo
from core.panels import render_panels
from core.panels import slot_context as read_slot_context

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """Render Markdown to sanitised HTML."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - sanitised by nh3


@register.filter(name="sanitize")
def sanitize_filter(html: str | None) -> SafeString:
    """Sanitise HTML that did not come from our own templates."""
    return mark_safe(sanitize_html(str(html or "")))  # noqa: S308 - sanitised by nh3


@register.filter(name="minutes")
def minutes_filter(value: int | None) -> str:
    """``95`` → ``1 h 35 min``; ``20`` → ``20 min``."""
    from django.utils.translation import gettext

    total = int(value or 0)
    hours, minutes = divmod(total, 60)
    if hours and minutes:
        return gettext("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    if hours:
        return gettext("%(h)d h") % {"h": hours}
    return gettext("%(m)d min") % {"m": minutes}


@register.filter(name="hours")
def hours_filter(value: object) -> str:
    """``4.5`` → ``about 4.5 hours``; ``1`` → ``about 1 hour``."""
    from decimal import Decimal

    from django.utils.formats import number_format
    from django.utils.translation import ngettext

    amount = Decimal(str(value or 0)).normalize()
    shown = number_format(amount, decimal_pos=None if amount % 1 else 0)
    plural = 1 if amount == 1 else 2
    return ngettext("about %(n)s hour", "about %(n)s hours", plural) % {"n": shown}


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, object]) -> list[dict[str, object]]:
    """The current page in each language (``core.languages``): ``target`` is the page in that
    language (a Wagtail page's translation, or its nearest translated ancestor), ``url`` the
    switcher's link, which remembers the choice (a cookie) on the way there. Plain links with
    no CSRF token, so the page stays the same for every anonymous reader (and cacheable);
    ``next`` is the page as it is, for the signed-in switcher's form."""
    from django.urls import get_script_prefix
    from django.utils.translation import get_language
    from wagtail.models import Page

    from core.languages import page_in_languages

    request = context.get("request")
    path = request.get_full_path() if request is not None else "/"  # type: ignore[attr-defined]
    page = context.get("page")
    if isinstance(page, Page) and page.pk and getattr(page, "locale_id", None):
        targets = page_in_languages(page, request)  # type: ignore[arg-type]
        return _links(path, get_language(), tuple(targets.items()))
    return _path_links(path, get_language(), get_script_prefix())


@functools.lru_cache(maxsize=1024)
def _path_links(path: str, current: str, prefix: str) -> list[dict[str, object]]:
    """:func:`_links` of a path that is not a Wagtail page (My learning, a quiz): the same for
    every request to it, kept per process (the URLconf does not change while it runs; the
    script prefix is in the key). Bounded: the least recent paths go first."""
    del prefix  # in the key only: the links are made under it
    return _links(path, current, ())


def _links(
    path: str, current: str, targets: tuple[tuple[str, str], ...]
) -> list[dict[str, object]]:
    from urllib.parse import urlencode

    from django.conf import settings
    from django.urls import reverse, translate_url
    from django.utils.translation import get_language_info

    found = dict(targets)
    choose = reverse("choose_language")
    links = []
    for code, _ in settings.LANGUAGES:
        target = found.get(code) or translate_url(path, code)
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "target": target,
                # Slashes left as they are: the path reads (and is matched) as itself.
                "url": f"{choose}?{urlencode({'language': code, 'next': target}, safe='/')}",
                "current": code == current,
            }
        )
    return links


@register.simple_tag(takes_context=True)
def shared_header_key(context: template.Context) -> str:
    """The key under which the site header is the same for every reader, or "" when it is not:
    an anonymous visitor on a published Wagtail page (never a preview) sees the same header as
    every other, given the language, the host and the page (its language links are the page's
    translations, ``core.languages.page_in_languages``). A signed-in reader's header carries
    their menu and a CSRF token: never shared."""
    from django.utils.translation import get_language
    from wagtail.models import Page

    request = context.get("request")
    page = context.get("page")
    user = getattr(request, "user", None)
    if (
        request is None
        or getattr(request, "is_preview", False)
        or user is None
        or user.is_authenticated
        or not isinstance(page, Page)
        or not page.pk
        or not getattr(page, "locale_id", None)
    ):
        return ""
    return f"{get_language()} {request.get_host()} {page.pk}"


@register.filter(name="get_item")
def get_item(mapping: dict[object, object] | None, key: object) -> object:
    """``mapping|get_item:key``: a dictionary lookup with a variable key."""
    return (mapping or {}).get(key)


@register.simple_tag(takes_context=True)
def panels(context: template.Context, slot: str, subject: Any) -> SafeString:
    """``{% panels "slot" subject %}``: what the apps above show in this slot (``core.panels``);
    ``{% panels "slot" subject as html %}`` to test whether there is anything."""
    return render_panels(context, slot, subject)


@register.simple_tag(takes_context=True)
def slot_context(context: template.Context, slot: str, subject: Any) -> dict[str, Any]:
    """``{% slot_context "slot" subject as facts %}``: the facts the apps above give about
    ``subject`` for this slot (``core.panels.register_context``), e.g. which lessons to tick."""
    return read_slot_context(context.get("request"), slot, subject)


class MemoNode(template.Node):
    def __init__(self, nodelist: template.NodeList, vary: list[template.base.FilterExpression]):
        self.nodelist, self.vary = nodelist, vary

    def render(self, context: template.Context) -> str:
        request = context.get("request")
        if getattr(request, "is_preview", False):  # a draft: never kept, never served from memo
            return self.nodelist.render(context)
        key = ("fragment", *(str(v.resolve(context)) for v in self.vary))
        return page_memo(request, key, lambda: self.nodelist.render(context))


@register.tag(name="memo")
def memo_tag(parser: template.base.Parser, token: template.base.Token) -> MemoNode:
    """``{% memo "name" var ... %}…{% endmemo %}``: the part rendered once per process for each
    key (the name and the values of the variables), until a publish moves the page cache's
    generation on (``core.page_memo``). Only for what is the same for every reader: a key must
    name everything the part shows (the page, its revision, the language). Previews are always
    rendered."""
    vary = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    if not vary:
        raise template.TemplateSyntaxError("{% memo %} needs a key, e.g. {% memo 'body' page.pk %}")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, vary)
