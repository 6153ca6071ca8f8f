"""Every HTML page the project writes is inert against the data it shows.

Values from the warehouse (CRM, ERP and ad texts and keys) are escaped where the project
renders them: its pages are Jinja2 templates that escape every value (`html_templates`);
only code the project or a library wrote (scripts, a chart's markup) goes in as it is.
Pages that a library renders (dbt docs, Great Expectations Data Docs) get their data
escaped before the library sees it. As a second line, each page carries a
Content-Security-Policy in a <meta> tag that lets only the page's own code run: its inline
scripts by SHA-256 hash (computed from the code the project or the library wrote, never
from text that holds data), a library's own remote scripts by exact URL, and no inline
event handler, eval or other remote script. A value that slipped through the escaping is
shown as text, or at worst blocked by the browser.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable
from pathlib import Path

import jinja2

from .errors import RoiError

CSP_META_NAME = "Content-Security-Policy"
# Styles may be inline (every page has <style> and style attributes): CSS runs no script.
INLINE_STYLES = "'unsafe-inline'"


def html_templates(package: str) -> jinja2.Environment:
    """The templates in `package`'s templates/ folder. Every value a template shows is
    escaped (.html ones, and any name not known to be code); the .css and .js templates are
    the page's own code and take numbers and the project's own constants only (a font
    stack), never data. A name a template uses but is not given is an
    error, not an empty string."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=jinja2.select_autoescape(disabled_extensions=("css", "js"), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def source_hash(code: str) -> str:
    """The CSP source expression that allows exactly this inline script (or handler)."""
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def policy(
    scripts: Iterable[str] = (),
    styles: Iterable[str] = (INLINE_STYLES,),
    images: Iterable[str] = ("data:",),
    fonts: Iterable[str] = ("data:",),
) -> str:
    """A policy that denies everything except the given sources; `scripts` empty means no
    script at all. base-uri and form-action are closed so injected markup cannot redirect
    the page's links or post a form anywhere."""
    directives = {
        "default-src": ["'none'"],
        "script-src": list(scripts) or ["'none'"],
        "style-src": list(styles) or ["'none'"],
        "img-src": list(images) or ["'none'"],
        "font-src": list(fonts) or ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    return "; ".join(
        f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives.items()
    )


def csp_meta(content: str) -> str:
    return f'<meta http-equiv="{CSP_META_NAME}" content="{html.escape(content, quote=True)}">'


_HEAD_OPEN = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)


def with_csp(page: str, content: str) -> str:
    """`page` with the policy's <meta> as the first element of its <head>: a policy given
    in a meta tag governs only what comes after it, so it must precede every script."""
    head = _HEAD_OPEN.search(page)
    if head is None:
        raise ValueError("page has no <head> to put the Content-Security-Policy in")
    return page[: head.end()] + "\n" + csp_meta(content) + page[head.end() :]


def json_in_script(document_text: str) -> str:
    """JSON text made safe inside an inline <script>: `<` (so no `</script>` or `<!--` of
    a value ends or bends the script), `>`, `&` and the JavaScript line separators are
    written as \\u escapes, which every JSON and JavaScript parser reads back unchanged (they
    can occur only inside JSON strings)."""
    return (
        document_text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# --- dbt docs ---------------------------------------------------------------------------------

DBT_MANIFEST_SLOT = '"MANIFEST.JSON INLINE DATA"'
DBT_CATALOG_SLOT = '"CATALOG.JSON INLINE DATA"'
_INLINE_SCRIPT = re.compile(r"<script(\s[^>]*)?>(.*?)</script>", re.IGNORECASE | re.DOTALL)


def dbt_docs_page(target_dir: Path) -> str:
    """dbt's docs as one file that opens offline, like `dbt docs generate --static` writes
    it, from the artifacts dbt wrote into `target_dir` (index.html, manifest.json,
    catalog.json), but with the two documents embedded as script-safe JSON (dbt pastes them
    in as they are: a `</script>` in any name would end its script) and a policy that lets
    only dbt's own inline script run."""
    template = (target_dir / "index.html").read_text(encoding="utf-8")
    if template.count(DBT_MANIFEST_SLOT) != 1 or template.count(DBT_CATALOG_SLOT) != 1:
        raise RoiError(
            f"{target_dir / 'index.html'}: dbt's docs page has no single place for the "
            "manifest and the catalog: this dbt version's docs page is not supported"
        )
    # The scripts are those of dbt's page before the documents go in; they are hashed with
    # the documents in, which cannot end a script (json_in_script): no script of the data
    # can be among them.
    own_scripts = _INLINE_SCRIPT.findall(template)
    if not own_scripts:
        raise RoiError(f"{target_dir / 'index.html'}: dbt's docs page has no inline script")
    manifest = json_in_script((target_dir / "manifest.json").read_text(encoding="utf-8"))
    catalog = json_in_script((target_dir / "catalog.json").read_text(encoding="utf-8"))
    page = template.replace(DBT_MANIFEST_SLOT, manifest).replace(DBT_CATALOG_SLOT, catalog)
    scripts = [
        source_hash(code.replace(DBT_MANIFEST_SLOT, manifest).replace(DBT_CATALOG_SLOT, catalog))
        for _, code in own_scripts
    ]
    return with_csp(page, policy(scripts=scripts))


def write_dbt_docs_page(target_dir: Path, page_path: Path) -> Path:
    page_path.parent.mkdir(parents=True, exist_ok=True)
    page_path.write_text(dbt_docs_page(target_dir), encoding="utf-8")
    return page_path


# --- pages of a library that loads its assets from CDNs (Great Expectations Data Docs) -------

_REMOTE_SCRIPT = re.compile(r"<script\s[^>]*\bsrc=[\"'](https://[^\"'\s]+)[\"']", re.IGNORECASE)
_REMOTE_STYLESHEET = re.compile(
    r"<link\s[^>]*\bhref=[\"'](https://[^\"'\s]+\.css)[\"']", re.IGNORECASE
)


def library_page_with_csp(
    page: str, blank_page: str, handlers: Iterable[str] = (), images: Iterable[str] = ()
) -> str:
    """A page a library rendered, with a policy that lets the library's own code run: the
    inline scripts, remote scripts and stylesheets of `blank_page` (the same page rendered
    without any data: so nothing a value injected can be allowed), by hash and by exact
    URL, the inline event handlers in `handlers` (the library's own, by hash), the fonts
    beside its stylesheets and the `images`."""
    scripts = [source_hash(code) for attributes, code in _INLINE_SCRIPT.findall(blank_page)
               if "src=" not in (attributes or "")]  # fmt: skip
    handlers = list(handlers)
    if handlers:
        scripts += ["'unsafe-hashes'", *(source_hash(code) for code in handlers)]
    scripts += _REMOTE_SCRIPT.findall(blank_page)
    stylesheets = _REMOTE_STYLESHEET.findall(blank_page)
    # a stylesheet at <package>/css/x.css loads its fonts from <package>/webfonts/...
    fonts = [url.split("?")[0].rsplit("/", 2)[0] + "/" for url in stylesheets]
    return with_csp(
        page,
        policy(
            scripts=scripts,
            styles=[INLINE_STYLES, *stylesheets],
            images=["data:", *images],
            fonts=["data:", *fonts],
        ),
    )
