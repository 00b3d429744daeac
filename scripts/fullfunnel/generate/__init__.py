"""Demo landing data for the fullfunnel warehouse (the contract is `contract/LANDING.md`).

`generate(out_dir, seed=42, scale=1.0)` writes the 15 landing files of a made-up B2B SaaS
(a CRM for small businesses, sold in USD, EUR, GBP and KZT) over a fixed calendar,
2025-08-01 .. 2026-10-31 UTC. It never looks at the wall clock, so the same
`(seed, scale)` always gives byte-identical files.

The world, in the order it is simulated:

1. **Leads** (`scale` 1 = 10,000): a growing, seasonal monthly volume; a true acquisition
   channel per lead; a country (which sets the phone format, e-mail domain, currency and
   tax); ~3% spam, ~1% test e-mail domains, ~4% duplicates of an earlier valid lead.
   Sales reps are assigned at random, independent of the channel.
2. **Funnel**: call attempts (speed to lead), deals with their stage history, lead status.
   Win chances depend on the channel and the rep only.
3. **Billing**: a customer per won deal (plus a few self-serve ones), subscriptions,
   invoices per billing period, upgrades/downgrades, churn, reactivation, trials, setup
   fees, void + reissue, refunds. Churn hazard depends on onboarding.
4. **Web**: a journey of 1-6 sessions before each lead that has a visitor id, whose last
   session carries the lead's channel, plus many visitors that never convert.
5. **Ads**: one row per campaign per day, clicks derived from the paid sessions of that
   campaign and day (so spend, clicks and sessions agree), plus restated copies.
6. **Finance**: daily FX rates (business days only) and monthly non-ad marketing costs.

The two stories the data carries (downstream tests assert them):

* `meta_social` gives the cheapest leads but the fewest qualified leads and sales; rep
  `u03` (Pavel Slowinski) calls late or never, so his leads' CR2 is ~15% against ~25%
  for the other reps (leads go to reps at random, whatever their channel).
* Customers who get onboarding (`welcome_email`, `onboarding_call`, `chatbot_onboarding`
  in their first 30 days, ~60% of them) have a monthly churn hazard x0.7.

Dirty rows, kept to a handful per file so quarantine has work but the build passes, are
listed in `DIRTY_ROWS` and counted in the progress output.

Implementation: every table is built from numpy arrays (loops only over months, channels,
campaigns or a few chunks), strings are assembled with pyarrow compute, and CSV is written
by a small minimal-quoting writer (`_CsvWriter`), sessions month by month so memory stays
bounded at large scales.

Modules, in the order of the simulation: `dates` (the calendar), `world` (channels, sales
team, countries, campaigns, traffic sources), `values` (random streams, arrays -> text),
`files` (headers from the landing contract, dirty rows, the CSV writer), `people` (1),
`crm` (2), `billing` (3), `traffic` (4), `ads` (5), `writers` (the CRM, billing and finance
files, 6), `core` (`generate()`).
"""

from fullfunnel.generate.core import PROFILES, generate
from fullfunnel.generate.files import COLUMNS, DIRTY_ROWS

__all__ = ["COLUMNS", "DIRTY_ROWS", "PROFILES", "generate"]
