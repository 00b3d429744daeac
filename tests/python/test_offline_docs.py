"""The Data Docs post-processing (fullfunnel.quality.offline_docs): a failed WARNING
expectation gets a warning icon, and a page whose failures are all warnings says "Passed
with warnings" (in the index too); a failed CRITICAL expectation keeps the page "Failed"."""

from __future__ import annotations

from pathlib import Path

from fullfunnel.quality.offline_docs import (
    FAILED_ICON,
    FAILED_STATUS,
    WARNING_ICON,
    WARNING_STATUS,
    make_offline,
)


def _row(icon: str, severity: str) -> str:
    return (
        f"<td><div><span >{icon}</span>\n            </div></td>"
        f'<td id="x" ><div class="show-scrollbars">\n<span >\n    {severity}: a rule</span>'
    )


def _page(*rows: str) -> str:
    return f'<html><span class="h6" >Status:</span> {FAILED_STATUS}\n' + "".join(rows) + "</html>"


def _index(link: str) -> str:
    item = (
        "{'validation_success': '<i class=\"fas fa-times text-danger ge-failed-icon\" ></i>', "
        f"'_table_row_link_path': '{link}', '_validation_success_text': 'Failed'"
    )
    return f"<html><script>data: [{item}}}, {item.replace(link, 'other.html')}}}]</script></html>"


def test_warnings_are_shown_as_warnings_and_critical_failures_as_failures(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "validations").mkdir(parents=True)
    (site / "static" / "images").mkdir(parents=True)
    (site / "validations" / "warned.html").write_text(_page(_row(FAILED_ICON, "WARNING")))
    (site / "validations" / "failed.html").write_text(
        _page(_row(FAILED_ICON, "WARNING"), _row(FAILED_ICON, "CRITICAL"))
    )
    (site / "index.html").write_text(_index("validations/warned.html"))

    report = make_offline(site)

    warned = (site / "validations" / "warned.html").read_text()
    assert WARNING_STATUS in warned and FAILED_STATUS not in warned
    assert WARNING_ICON in warned and FAILED_ICON not in warned
    failed = (site / "validations" / "failed.html").read_text()
    assert FAILED_STATUS in failed  # a critical failure keeps the page failed
    assert failed.count(WARNING_ICON) == 1 and failed.count(FAILED_ICON) == 1
    assert report.warning_pages == ["validations/warned.html"]
    index = (site / "index.html").read_text()
    assert index.count("'_validation_success_text': 'Passed with warnings'") == 1
    assert index.count("'_validation_success_text': 'Failed'") == 1  # the other page's row
    assert (site / "static" / "vendor" / "jquery" / "jquery.min.js").is_file()
