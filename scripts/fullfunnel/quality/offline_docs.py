"""Great Expectations Data Docs that open without a network, and show a warning as a warning.

GE 1.24 writes pages that load Bootstrap, jQuery, bootstrap-table, Popper and Font Awesome
from CDNs (and Vega, a date picker and a dark theme the pages do not use), and its logo from
S3; offline, the index table stays empty (bootstrap-table fills it) and every page is
unstyled. `make_offline` rewrites every page of a built site to load copies vendored in this
package (`static/vendor/`, the exact versions GE asks for, fetched with `npm pack`; licences
beside them) without the CDN's integrity and CORS attributes (which make a browser refuse a
local file), drops the scripts no page uses, points the logo at the site's own image, and
repairs GE's links into `static/` that miss (the favicon of deep pages).

GE marks an expectation that failed as failed whatever its severity, and a suite with any
failure as "Failed", although the gate passes on warnings. On each validation page a failed
expectation whose description starts `WARNING:` gets a warning icon, and a page whose
failures are all warnings says "Passed with warnings" (also in the index).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

VENDOR = Path(__file__).parent / "static" / "vendor"

# what GE loads -> the vendored file (relative to static/vendor)
VENDORED: dict[str, str] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap/css/bootstrap.min.css"
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap/js/bootstrap.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper/popper.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": (
        "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": (
        "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": (
        "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "fontawesome/css/all.min.css"
    ),
    # the filter-control extension of the index table needs the date picker
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": "bootstrap-datepicker/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": "bootstrap-datepicker/css/bootstrap-datepicker.min.css",
}
# a CDN's subresource-integrity and CORS attributes: a page opened as a file would refuse
# the local copy with them
CDN_ATTRIBUTES = re.compile(r'\s(?:integrity="[^"]*"|crossorigin="[^"]*")')
# loaded by GE's pages but used by none of ours (Vega charts, a dark theme): dropped
UNUSED = re.compile(
    r'<script[^>]*src="https://cdn\.jsdelivr\.net/npm/vega[^"]*"[^>]*>\s*</script>'
    r'|<link[^>]*href="https://cdn\.jsdelivr\.net/npm/@forevolve/bootstrap-dark[^"]*"[^>]*>'
)
LOGO = re.compile(r"https://great-expectations-web-assets\.s3\.[^\"')]*\.png[^\"')]*")
# a resource the browser would fetch from the network (links a reader may follow are fine)
EXTERNAL_RESOURCE = re.compile(
    r'<(?:script|img|source)[^>]*\ssrc="(https?://[^"]+)"'
    r'|<link[^>]*\shref="(https?://[^"]+)"'
    r"|url\(['\"]?(https?://[^)'\"]+)"
)

FAILED_ICON = '<i class="fas fa-times text-danger" ></i>'
WARNING_ICON = '<i class="fas fa-exclamation-triangle text-warning" ></i>'
FAILED_ROW = re.compile(
    re.escape(FAILED_ICON)
    + r'(\s*</span>\s*</div></td><td[^>]*><div class="show-scrollbars">\s*<span >\s*)WARNING:'
)
FAILED_STATUS = '<i class="fas fa-times text-danger" aria-hidden="true"></i> Failed'
WARNING_STATUS = (
    '<i class="fas fa-exclamation-triangle text-warning" aria-hidden="true"></i> '
    "Passed with warnings"
)
INDEX_FAILED_ICON = '<i class="fas fa-times text-danger ge-failed-icon" ></i>'
INDEX_WARNING_ICON = '<i class="fas fa-exclamation-triangle text-warning ge-warning-icon" ></i>'


@dataclass
class OfflineReport:
    """What `make_offline` changed, and what would still be fetched from the network."""

    pages: int = 0
    warning_pages: list[str] = field(default_factory=list)  # relative to the site root
    external: dict[str, list[str]] = field(default_factory=dict)  # page -> URLs left


def _relabel_warnings(page: str) -> tuple[str, bool]:
    """Warning icons on failed `WARNING:` expectations; "Passed with warnings" when no other
    expectation failed. Returns the page and whether its status was relabelled."""
    page = FAILED_ROW.sub(lambda m: WARNING_ICON + m.group(1) + "WARNING:", page)
    if FAILED_STATUS in page and FAILED_ICON not in page and WARNING_ICON in page:
        return page.replace(FAILED_STATUS, WARNING_STATUS), True
    return page, False


def _relabel_index(page: str, warning_pages: set[str]) -> str:
    """The index rows of the relabelled validation pages: warning icon and text."""
    separator = "}, {'validation_success'"
    items = page.split(separator)
    for number, item in enumerate(items):
        link = re.search(r"'_table_row_link_path': '([^']+)'", item)
        if link and link.group(1) in warning_pages:
            items[number] = item.replace(INDEX_FAILED_ICON, INDEX_WARNING_ICON).replace(
                "'_validation_success_text': 'Failed'",
                "'_validation_success_text': 'Passed with warnings'",
            )
    return separator.join(items)


STATIC_REFERENCE = re.compile(r'(\s(?:src|href)=")((?:\./|\.\./)*static/[^"?#]+)')


def _repair_static_links(page: str, path: Path, site: Path) -> str:
    """Point a reference into the site's `static/` that misses (GE writes the favicon one
    folder short on deep pages) at the file it names."""

    def repair(match: re.Match[str]) -> str:
        ref = match.group(2)
        if (path.parent / ref).exists():
            return match.group(0)
        target = site / ref[ref.index("static/") :]
        return (
            match.group(1) + os.path.relpath(target, path.parent)
            if target.exists()
            else (match.group(0))
        )

    return STATIC_REFERENCE.sub(repair, page)


def make_offline(site: Path) -> OfflineReport:
    """Rewrite the Data Docs site under `site` in place (see the module docstring)."""
    report = OfflineReport()
    vendor = site / "static" / "vendor"
    shutil.rmtree(vendor, ignore_errors=True)
    shutil.copytree(VENDOR, vendor)
    logo = site / "static" / "images" / "logo-long.png"
    pages = sorted(site.rglob("*.html"))
    index = site / "index.html"
    for path in pages:
        page = path.read_text(encoding="utf-8")
        for url, local in VENDORED.items():
            page = page.replace(url, os.path.relpath(vendor / local, path.parent))
        page = UNUSED.sub("", page)
        page = CDN_ATTRIBUTES.sub("", page)
        page = _repair_static_links(page, path, site)
        page = LOGO.sub(os.path.relpath(logo, path.parent), page)
        if path != index:
            page, relabelled = _relabel_warnings(page)
            if relabelled:
                report.warning_pages.append(path.relative_to(site).as_posix())
        path.write_text(page, encoding="utf-8")
        report.pages += 1
    if index.exists():
        page = _relabel_index(index.read_text(encoding="utf-8"), set(report.warning_pages))
        index.write_text(page, encoding="utf-8")
    for path in pages:
        found = [
            next(g for g in m.groups() if g)
            for m in EXTERNAL_RESOURCE.finditer(path.read_text(encoding="utf-8"))
        ]
        if found:
            report.external[path.relative_to(site).as_posix()] = sorted(set(found))
    return report
