"""HTML pages from Jinja2 templates: one environment per package's ``templates/`` folder,
every value autoescaped, every response with the same security headers.

A page's Content-Security-Policy starts from ``default-src 'none'`` and allows only what the
page uses (``policy(...)``); the same policy goes in the page's ``<meta>`` (so a saved copy
keeps it) and, with ``frame-ancestors 'none'`` (which a ``<meta>`` cannot carry), in the
response header.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@functools.cache
def environment(package: str) -> Environment:
    """The templates in ``<package>/templates``, escaped whatever their file name."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(package: str, template: str, **context: Any) -> str:
    return environment(package).get_template(template).render(**context)


def source(package: str, name: str) -> str:
    """A static file from the package's templates (a stylesheet), as written."""
    env = environment(package)
    loader = env.loader
    if loader is None:
        raise LookupError(f"{package} has no templates")
    text, _, _ = loader.get_source(env, name)
    return text


def style_hash(css: str) -> str:
    """The CSP source that allows exactly this inline ``<style>`` text."""
    digest = hashlib.sha256(css.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def policy(*allowed: str) -> str:
    """A Content-Security-Policy that allows nothing but ``allowed`` directives."""
    return "; ".join(("default-src 'none'", *allowed, "base-uri 'none'"))


def page_headers(content_security_policy: str) -> dict[str, str]:
    """Headers for every HTML response: no framing, no sniffing, no referrer, no caching."""
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": f"{content_security_policy}; frame-ancestors 'none'",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",  # the feedback token and ATR signature are in URLs
        "Cache-Control": "no-store",
    }
