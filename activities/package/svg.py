"""Cleaning SVG images from H5P packages, so an image opened on its own runs nothing.

An SVG file is an XML document that browsers run scripts in when it is opened directly (not
when shown with ``<img>``). :func:`clean_svg` parses it with defusedxml (no entity declarations,
no internal DTD subset, nothing fetched), keeps only elements in the SVG namespace, and removes:

- ``script``, ``foreignObject`` (HTML inside SVG) and SVG Tiny's ``handler``/``listener``;
  elements in any other namespace (XHTML ``<html:script>``, editors' metadata);
- animations that set an ``href``, ``style`` or an event handler (``<set attributeName="href"
  to="javascript:…">`` is the classic way around attribute filters);
- every ``on*`` attribute, ``xml:base``, and attributes in other namespaces;
- ``href``/``xlink:href`` except ``#fragment`` and ``data:image/png|jpeg|gif``;
- ``<style>`` holding ``@import``, CSS escapes, or ``url(…)`` to anything but ``#…``;
- external ``url(…)`` in ``style`` and presentation attributes (``fill="url(https://…)"``
  becomes ``fill="none"``).

The result is serialised again from the tree, so comments, processing instructions
(``<?xml-stylesheet?>``) and the DOCTYPE are gone too. What cannot be parsed, or is not an SVG
image, raises :class:`SvgRefused`.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

__all__ = ["SVG_NS", "XLINK_NS", "SvgRefused", "clean_svg"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

#: Deeper than this is refused: real drawings nest a few dozen groups at most, and serialising
#: recurses once per level.
MAX_DEPTH = 256

_REMOVED = {"script", "foreignobject", "handler", "listener"}  # lower-cased local names
_ANIMATIONS = {"animate", "set", "animatemotion", "animatetransform", "animatecolor"}
_ANIMATED_UNSAFE = {"href", "style", "src"}

#: ``url(...)`` in CSS, quoted or not.
_URL = re.compile(r"""url\(\s*(?:'([^']*)'|"([^"]*)"|([^)'"\s]*))\s*\)""", re.IGNORECASE)
#: CSS that can fetch or run something however its url()s look: imports, escapes (which can
#: spell ``url`` or ``@import`` in a way no pattern sees), old IE and Firefox script hooks,
#: image-set() (which takes bare strings as URLs).
_CSS_UNSAFE = re.compile(
    r"@import|\\|expression\s*\(|javascript:|-moz-binding|behavior\s*:|image-set\s*\(",
    re.IGNORECASE,
)
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|jpg|gif)[;,]", re.IGNORECASE)
_URL_SPACE = re.compile(r"[\t\n\r]")


class SvgRefused(ValueError):
    """The file cannot be used as an SVG image; ``message`` says why, in plain English."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Parser(DefusedXMLParser):
    """defusedxml's parser, accepting a bare ``<!DOCTYPE svg PUBLIC …>`` (which drawing programs
    still write, and which is dropped on output) but no internal subset: no ``<!ENTITY>`` and
    no ``<!ATTLIST>`` (which could add attributes behind the cleaner's back)."""

    def defused_start_doctype_decl(
        self, name: str, sysid: str | None, pubid: str | None, has_internal_subset: bool
    ) -> None:
        if has_internal_subset:
            raise DTDForbidden(name, sysid, pubid)


def _parse(data: bytes) -> ET.Element:
    parser = _Parser(
        target=ET.TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(data)
        root: Any = parser.close()
    except ET.ParseError as exc:
        raise SvgRefused(f"This is not a well-formed SVG image ({exc}).") from None
    except DefusedXmlException:
        raise SvgRefused(
            "This SVG image declares entities or a document type of its own, which are not "
            "allowed (they can hide content or make the file huge). Export it again as plain SVG."
        ) from None
    except (ValueError, LookupError) as exc:  # an unknown encoding, for one
        raise SvgRefused(f"This SVG image cannot be read ({exc}).") from None
    return root


def _split(tag: str) -> tuple[str | None, str]:
    """``{namespace}local`` as (namespace, local); no namespace: (None, local)."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _url_value(value: str) -> str:
    """A URL as a browser reads it: surrounding spaces and inner tabs and newlines dropped."""
    return _URL_SPACE.sub("", value).strip(" \f\v\x00")


def _safe_href(value: str) -> bool:
    url = _url_value(value)
    return url.startswith("#") or _DATA_IMAGE.match(url) is not None


def _local_urls_only(css: str) -> str | None:
    """``css`` with each ``url(…)`` to anything but ``#…`` replaced by ``none``; ``None`` when
    it cannot be made safe (escapes, imports, a url( that does not parse)."""
    if _CSS_UNSAFE.search(css):
        return None

    def local(match: re.Match[str]) -> str:
        target = _url_value(next((g for g in match.groups() if g is not None), ""))
        return match.group(0) if target.startswith("#") else "none"

    cleaned = _URL.sub(local, css)
    if cleaned.lower().count("url(") != len(_URL.findall(cleaned)):
        return None  # a url( the pattern did not take apart: refuse rather than guess
    return cleaned


def _unsafe_element(element: ET.Element) -> bool:
    if not isinstance(element.tag, str):  # a comment or processing instruction
        return True
    namespace, local = _split(element.tag)
    name = local.lower()
    if namespace != SVG_NS or name in _REMOVED:
        return True
    if name == "style":
        # Kept only when it is safe as it is: rewriting a style sheet could change its meaning.
        css = "".join(element.itertext())
        return len(element) > 0 or _local_urls_only(css) != css
    if name in _ANIMATIONS:
        target = _split(element.get("attributeName", ""))[1].strip().lower()
        target = target.rsplit(":", 1)[-1]  # xlink:href
        return target in _ANIMATED_UNSAFE or target.startswith("on")
    return False


def _remove(parent: ET.Element, child: ET.Element) -> None:
    """Remove ``child``, keeping the text that follows it (its tail) in the document."""
    if child.tail:
        index = list(parent).index(child)
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def _clean_attributes(element: ET.Element) -> None:
    for name, value in list(element.attrib.items()):
        namespace, local = _split(name)
        lowered = local.lower()
        keep: str | None = value
        if lowered.startswith("on") or namespace not in {None, XLINK_NS, XML_NS}:
            keep = None
        elif namespace == XML_NS:
            keep = None if local == "base" else value
        elif lowered == "href":
            keep = value if _safe_href(value) else None
        elif lowered == "style" or "url(" in value.lower():
            keep = _local_urls_only(value)
        if keep is None:
            del element.attrib[name]
        elif keep != value:
            element.set(name, keep)


def clean_svg(data: bytes) -> bytes:
    """``data`` (an SVG file) with everything that could run or fetch something removed; raises
    :class:`SvgRefused` when it cannot be parsed or is not an SVG image."""
    root = _parse(data)
    if root.tag != f"{{{SVG_NS}}}svg":
        raise SvgRefused(
            "This file is not an SVG image: its first element is not <svg> in the SVG namespace "
            f'(xmlns="{SVG_NS}").'
        )
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SvgRefused(f"This SVG image nests elements more than {MAX_DEPTH} levels deep.")
        _clean_attributes(element)
        for child in list(element):
            if _unsafe_element(child):
                _remove(element, child)
            else:
                stack.append((child, depth + 1))
    return _serialise(root)


_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
     "\t": "&#9;"}
)  # fmt: skip
_PREFIXES = {None: "", XLINK_NS: "xlink:", XML_NS: "xml:"}


def _serialise(root: ET.Element) -> bytes:
    """The cleaned tree as UTF-8 SVG: SVG the default namespace, ``xlink:`` for links, without
    recursion. Only SVG elements and attributes in no, the XLink or the XML namespace remain."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    stack: list[tuple[ET.Element, bool]] = [(root, False)]
    while stack:
        element, closing = stack.pop()
        name = _split(element.tag)[1]
        if closing:
            out.append(f"</{name}>{(element.tail or '').translate(_TEXT_ESCAPES)}")
            continue
        attributes = "".join(
            f' {_PREFIXES[namespace]}{local}="{value.translate(_ATTRIBUTE_ESCAPES)}"'
            for (namespace, local), value in (
                (_split(key), value) for key, value in element.attrib.items()
            )
        )
        if element is root:
            attributes = f' xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}"' + attributes
        text = (element.text or "").translate(_TEXT_ESCAPES)
        out.append(f"<{name}{attributes}>{text}")
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    return "".join(out).encode("utf-8")
