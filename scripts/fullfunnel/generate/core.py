"""The entry point: `generate()` runs the steps in order and writes every file."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from fullfunnel.generate.ads import _write_ads
from fullfunnel.generate.billing import _billing
from fullfunnel.generate.crm import _funnel
from fullfunnel.generate.files import COLUMNS
from fullfunnel.generate.people import _make_leads
from fullfunnel.generate.traffic import _journeys, _Traffic, _write_sessions
from fullfunnel.generate.world import _campaigns
from fullfunnel.generate.writers import (
    _lead_utms,
    _write,
    _write_billing,
    _write_crm,
    _write_finance,
)

# ----------------------------------------------------------------------------- entry point


# What each `--profile` keeps; every other landing file is written with its header only, as
# an export from one system looks (the CRM alone, the billing ledger alone). Exchange rates
# are reference data every profile keeps.
PROFILES: dict[str, tuple[str, ...] | None] = {
    "full": None,
    "crm-only": ("crm/", "finance/fx_rates.csv"),
    "billing-only": ("billing/", "finance/fx_rates.csv"),
}


def _keep_only(out: Path, keep: tuple[str, ...], summary: dict[str, int]) -> None:
    """Rewrite every landing file outside `keep` (folder prefixes or paths) as header-only."""
    for relpath in COLUMNS:
        if not relpath.startswith(keep):
            _write(out, relpath, {c: pa.array([], pa.string()) for c in COLUMNS[relpath]})
            summary[relpath] = 0


def generate(
    out_dir: Path,
    seed: int = 42,
    scale: float = 1.0,
    progress: Callable[[str], None] | None = None,
    profile: str = "full",
) -> dict[str, int]:
    """Write the 15 landing files of LANDING.md under out_dir; return rows per file.

    The same (seed, scale) gives byte-identical files; volume is proportional to scale
    (1 = about 10,000 leads and 80,000 sessions). `profile` (PROFILES) keeps one system's
    files and writes the others with their header only."""
    if scale <= 0:
        raise ValueError("scale must be > 0")
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}; got {profile!r}")
    say = progress or (lambda _msg: None)
    out = Path(out_dir)
    for relpath in COLUMNS:  # stale files of the same tables (CSV or Parquet) go first
        for stale in (out / relpath, (out / relpath).with_suffix(".parquet")):
            stale.unlink(missing_ok=True)
    t_all = time.perf_counter()
    summary: dict[str, int] = {}

    def step(label: str, t0: float) -> None:
        say(f"{label} ({time.perf_counter() - t0:.1f}s)")

    def report(counts: dict[str, int], t0: float, notes: dict[str, str]) -> None:
        """One progress line per file written by a step (the step's time on the last)."""
        summary.update(counts)
        for i, (relpath, rows) in enumerate(counts.items()):
            note = f", {notes[relpath]}" if relpath in notes else ""
            took = f" ({time.perf_counter() - t0:.1f}s)" if i == len(counts) - 1 else ""
            say(f"{relpath}: {rows:,} rows{note}{took}")

    t0 = time.perf_counter()
    leads = _make_leads(seed, scale)
    funnel = _funnel(seed, leads)
    step(f"leads and funnel: {leads.n:,} leads, {len(funnel.deal_lead):,} deals", t0)
    t0 = time.perf_counter()
    billing = _billing(seed, leads, funnel)
    step(
        f"billing: {len(billing.cust_created):,} customers, {len(billing.inv['cust']):,} invoices",
        t0,
    )
    t0 = time.perf_counter()
    campaigns = _campaigns(scale)
    traffic = _Traffic(campaigns)
    journeys, last_of = _journeys(seed, leads, traffic)
    utm = _lead_utms(seed, leads, journeys, last_of, traffic)
    step(f"journeys: {len(journeys.time):,} sessions before leads", t0)
    t0 = time.perf_counter()
    n_sessions, paid, n_dirty_sessions = _write_sessions(
        seed, out, leads, journeys, traffic, len(campaigns), say
    )
    summary["web/sessions.csv"] = n_sessions
    step(f"web/sessions.csv: {n_sessions:,} rows, {n_dirty_sessions} unparseable started_at", t0)
    t0 = time.perf_counter()
    ads = _write_ads(seed, out, campaigns, paid)
    report(
        {k: rows for k, (rows, _) in ads.items()},
        t0,
        {k: f"{bad} with negative clicks" for k, (_, bad) in ads.items()},
    )
    t0 = time.perf_counter()
    crm = _write_crm(out, seed, leads, funnel, billing, utm, traffic)
    n_fax = crm.pop("_fax")
    report(crm, t0, {"crm/activities.csv": f"{n_fax} of type 'fax'"})
    t0 = time.perf_counter()
    n_xyz = int(billing.inv["n_xyz"][0])
    report(_write_billing(out, funnel, billing), t0, {"billing/invoices.csv": f"{n_xyz} in 'XYZ'"})
    t0 = time.perf_counter()
    report(_write_finance(out, seed, scale), t0, {})
    keep = PROFILES[profile]
    if keep is not None:
        _keep_only(out, keep, summary)
        say(f"profile {profile}: every file outside {', '.join(keep)} has its header only")
    say(f"done: {sum(summary.values()):,} rows in {time.perf_counter() - t_all:.1f}s")
    return {k: summary[k] for k in COLUMNS}
