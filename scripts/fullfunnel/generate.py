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
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fullfunnel.contract import load_contract

__all__ = ["COLUMNS", "DIRTY_ROWS", "generate"]

# ----------------------------------------------------------------------------- calendar

DAY = 86_400
HOUR = 3_600
START_DAY = np.datetime64("2025-08-01", "D")
END_DAY = np.datetime64("2026-10-31", "D")
FX_START_DAY = np.datetime64("2025-07-25", "D")
START_D = int(START_DAY.astype(np.int64))
END_D = int(END_DAY.astype(np.int64))
START_S = START_D * DAY
END_S = (END_D + 1) * DAY  # exclusive: nothing happens at or after this instant
N_DAYS = END_D - START_D + 1
MONTH_STARTS = (
    np.arange(np.datetime64("2025-08"), np.datetime64("2026-12"))
    .astype("datetime64[D]")
    .astype(np.int64)
)  # 16 first days: the 15 months of data and 2026-11-01 as the closing bound
N_MONTHS = len(MONTH_STARTS) - 1
BASE_LEADS = 10_000  # leads at scale 1

# ----------------------------------------------------------------------------- files

#: The header of every landing file, in the contract's order (contract/landing.yml).
COLUMNS: dict[str, tuple[str, ...]] = {
    f"{t.file}.csv": t.column_names for t in load_contract().tables
}

#: What the generator breaks on purpose, per file (the counts are in the progress output).
DIRTY_ROWS: dict[str, str] = {
    "web/sessions.csv": "~0.3% of sessions of never-converting visitors: started_at "
    "unparseable ('2025-13-45T99:00:00Z', 'yesterday', '31/12/2025 10:00', 'n/a')",
    "ads/*": "~0.2% of rows (at least 1 per file) with negative clicks, never a restated key",
    "billing/invoices.csv": "~0.015% (at least 1): extra one-time invoices in currency 'XYZ'",
    "crm/activities.csv": "~0.01% (at least 1): extra activities of unknown type 'fax'",
}

# ----------------------------------------------------------------------------- channels

CHANNELS = (
    "google_search", "meta_social", "yandex_search", "organic_social", "email", "partners",
    "events", "organic_search", "referral", "direct", "other",
)  # fmt: skip
GOOGLE, META, YANDEX, ORG_SOCIAL, EMAIL, PARTNERS, EVENTS, ORG_SEARCH, REFERRAL, DIRECT, OTHER = (
    range(len(CHANNELS))
)
PAID_CHANNELS = (GOOGLE, META, YANDEX)  # index = ad platform index

#: Share of valid leads by true acquisition channel.
LEAD_MIX = np.array([0.22, 0.26, 0.09, 0.05, 0.06, 0.04, 0.04, 0.12, 0.05, 0.05, 0.02])
#: Share of a channel's valid leads that come with a web visitor id (the rest: form only).
VISITOR_SHARE = np.array([0.92, 0.62, 0.90, 0.90, 0.90, 0.88, 0.75, 0.98, 0.95, 0.85, 0.90])
#: Sessions of never-converting visitors, per lead of the channel (sets CR1 and, for paid
#: channels, clicks and therefore spend per lead).
NONCONV_SESSIONS_PER_LEAD = np.array([5.0, 8.5, 5.0, 8.0, 4.0, 4.0, 5.0, 6.0, 6.0, 4.0, 10.0])
#: Share of a channel's valid leads that end up with a deal (story a: meta lowest).
DEAL_RATE = np.array([0.48, 0.26, 0.45, 0.43, 0.45, 0.53, 0.45, 0.48, 0.48, 0.50, 0.38])
#: Win rate of a channel's deals (story a: meta lowest).
WIN_RATE = np.array([0.70, 0.50, 0.67, 0.66, 0.69, 0.72, 0.69, 0.70, 0.68, 0.70, 0.62])
#: Channels of the earlier (non-converting) sessions of a lead's journey.
JOURNEY_MIX = np.array([0.10, 0.07, 0.0, 0.05, 0.10, 0.0, 0.0, 0.28, 0.10, 0.30, 0.0])

# ----------------------------------------------------------------------------- sales team

USERS: tuple[tuple[str, str, str, str, str], ...] = (
    ("u01", "Anna Kowalczyk", "sales", "sales_rep", "2024-03-04T09:00:00Z"),
    ("u02", "Tom Fletcher", "sales", "sales_rep", "2024-09-16T09:00:00Z"),
    ("u03", "Pavel Slowinski", "sales", "sales_rep", "2025-01-13T09:00:00Z"),
    ("u04", "Aigerim Sadykova", "sales", "sales_rep", "2024-02-01T04:00:00Z"),
    ("u05", "Lena Vogel", "sales", "sales_rep", "2025-03-03T08:00:00Z"),
    ("u06", "Marcus Reid", "sales", "sales_rep", "2025-06-02T13:00:00Z"),
    ("u07", "Ravi Menon", "success", "account_manager", "2023-11-01T09:00:00Z"),
    ("u08", "Julia Brandt", "success", "account_manager", "2025-02-17T08:00:00Z"),
    ("u09", "Sofia Marin", "marketing", "marketing", "2024-05-20T08:00:00Z"),
    ("u10", "Daniyar Abenov", "marketing", "marketing", "2025-04-07T04:00:00Z"),
)
N_REPS = 6
SLOW_REP = 2  # u03
ACCOUNT_MANAGERS = (6, 7)  # u07, u08
#: Per rep: probability that a valid lead is ever called, that a called lead is reached,
#: and median minutes to the first call (u03 calls hours to days late, often never).
P_CALLED = np.array([0.97, 0.97, 0.72, 0.97, 0.97, 0.97])
P_REACHED = np.array([0.88, 0.88, 0.82, 0.88, 0.88, 0.88])
FIRST_CALL_MEDIAN_MIN = np.array([11.0, 14.0, 1_300.0, 9.0, 12.0, 16.0])
FIRST_CALL_SIGMA = np.array([1.0, 1.0, 0.9, 1.0, 1.0, 1.0])
#: Extra factors on deal and win chances for a rep's leads (u03's slow follow-up).
REP_DEAL_FACTOR = np.array([1.0, 1.0, 0.92, 1.0, 1.0, 1.0])
REP_WIN_FACTOR = np.array([1.0, 1.0, 0.88, 1.0, 1.0, 1.0])
REACHED_NORMAL = 0.97 * 0.88  # a normal rep's reach rate (deal rates are set relative to it)

# ----------------------------------------------------------------------------- countries


@dataclass(frozen=True)
class _Country:
    """A country: where leads are, what currency they pay in and their VAT rate."""

    code: str
    weight: float  # share of non-Yandex leads
    names: str  # name pool key
    tld: str
    currency: str
    tax: float
    cc: str  # phone country code
    area: str  # phone area code (len(cc + area) == 4 keeps numbers unique)
    utc_offset: int  # hours, for the time of day leads arrive


COUNTRIES: tuple[_Country, ...] = (
    _Country("US", 0.36, "en", "com", "USD", 0.0, "1", "646", -5),
    _Country("CA", 0.05, "en", "ca", "USD", 0.0, "1", "416", -5),
    _Country("AU", 0.04, "en", "com.au", "USD", 0.10, "61", "28", 10),
    _Country("GB", 0.13, "en", "co.uk", "GBP", 0.20, "44", "20", 0),
    _Country("IE", 0.02, "en", "ie", "EUR", 0.23, "353", "1", 0),
    _Country("DE", 0.12, "de", "de", "EUR", 0.19, "49", "30", 1),
    _Country("FR", 0.05, "fr", "fr", "EUR", 0.20, "33", "14", 1),
    _Country("NL", 0.05, "nl", "nl", "EUR", 0.21, "31", "20", 1),
    _Country("PL", 0.05, "pl", "pl", "EUR", 0.23, "48", "22", 1),
    _Country("ES", 0.03, "es", "es", "EUR", 0.21, "34", "91", 1),
    _Country("KZ", 0.06, "kz", "kz", "KZT", 0.12, "7", "701", 5),
)
KZ = 10
CURRENCIES = ("USD", "EUR", "GBP", "KZT")
COUNTRY_CURRENCY = np.array([CURRENCIES.index(c.currency) for c in COUNTRIES])
COUNTRY_TAX = np.array([c.tax for c in COUNTRIES])
#: Yandex Direct runs in Kazakhstan: its leads are mostly there.
YANDEX_COUNTRY_MIX = np.array([0.04, 0, 0, 0, 0, 0.03, 0, 0, 0.03, 0, 0.90])

NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Mia",
         "Lucas", "Amelia", "Jack", "Harper", "Henry", "Grace", "Owen", "Chloe", "Daniel",
         "Ella", "Ryan", "Lily", "Nathan", "Zoe", "Adam", "Hannah", "Sam", "Ruby", "Leo",
         "Isla"),
        ("Smith", "Johnson", "Brown", "Taylor", "Walker", "Wright", "Green", "Hall", "Carter",
         "Mitchell", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy",
         "Cook", "Rogers", "Reed", "Bailey", "Bell", "Cooper", "Ward", "Fletcher", "Grant",
         "Hughes", "Price", "Bennett", "Wood"),
    ),
    "de": (
        ("Lukas", "Anna", "Felix", "Lea", "Jonas", "Marie", "Paul", "Lena", "Maximilian",
         "Laura", "Tim", "Julia", "Jan", "Sarah", "Niklas", "Katharina"),
        ("Mueller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Hoffmann", "Koch", "Richter", "Wolf", "Neumann", "Zimmermann", "Vogel", "Krause"),
    ),
    "fr": (
        ("Louis", "Camille", "Hugo", "Chloe", "Jules", "Manon", "Arthur", "Ines", "Theo",
         "Lea"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
         "Leroy", "Moreau", "Laurent", "Girard"),
    ),
    "nl": (
        ("Daan", "Emma", "Sem", "Julia", "Lars", "Sanne", "Bram", "Fleur"),
        ("de Jong", "Jansen", "de Vries", "van Dijk", "Bakker", "Visser", "Smit", "Meijer"),
    ),
    "pl": (
        ("Jakub", "Zuzanna", "Kacper", "Maja", "Piotr", "Anna", "Tomasz", "Katarzyna"),
        ("Nowak", "Kowalski", "Wisniewski", "Wojcik", "Kaminski", "Lewandowski", "Zielinski",
         "Szymanski"),
    ),
    "es": (
        ("Pablo", "Lucia", "Alvaro", "Sofia", "Diego", "Marta", "Javier", "Elena"),
        ("Garcia", "Fernandez", "Lopez", "Martinez", "Sanchez", "Romero", "Navarro", "Ruiz"),
    ),
    "kz": (
        ("Aidos", "Aigerim", "Nursultan", "Dana", "Yerlan", "Madina", "Arman", "Aruzhan",
         "Daniyar", "Saule", "Timur", "Alina", "Askar", "Kamila", "Ruslan", "Zhanna"),
        ("Nurlanov", "Sadykova", "Abenov", "Zhaksybekova", "Seitkali", "Omarova", "Kassymov",
         "Tulegenova", "Ibraimov", "Akhmetova", "Bekov", "Iskakova"),
    ),
}  # fmt: skip
COMPANY_WORDS = (
    ("bright", "north", "blue", "swift", "green", "iron", "silver", "nova", "peak", "urban",
     "harbor", "maple", "cedar", "lumen", "vector", "atlas", "orbit", "pine", "stone", "river",
     "solid", "clear", "prime", "true", "bold", "fjord", "steppe", "amber", "coral", "delta"),
    ("labs", "works", "digital", "media", "studio", "group", "tech", "logistics", "consulting",
     "retail", "build", "foods", "legal", "dental", "fitness", "travel", "print", "design",
     "supply", "home"),
)  # fmt: skip
PERSONAL_DOMAINS = {
    "en": ("gmail.com", "outlook.com", "yahoo.com", "icloud.com"),
    "de": ("gmail.com", "web.de", "gmx.de"),
    "fr": ("gmail.com", "orange.fr"),
    "nl": ("gmail.com", "ziggo.nl"),
    "pl": ("gmail.com", "wp.pl"),
    "es": ("gmail.com", "hotmail.es"),
    "kz": ("gmail.com", "mail.ru", "yandex.kz"),
}

# ----------------------------------------------------------------------------- ad campaigns


@dataclass(frozen=True)
class _Platform:
    """An ad account: where its spend lands and in which currency."""

    name: str
    account_id: str
    currency: str
    click_type: str


PLATFORMS = (
    _Platform("google_ads", "318-204-7765", "USD", "gclid"),
    _Platform("meta_ads", "act_2385017734", "EUR", "fbclid"),
    _Platform("yandex_direct", "", "KZT", "yclid"),
)


@dataclass(frozen=True)
class _Campaign:
    """One ad campaign: cost per click (account currency, net), CTR and traffic weight."""

    platform: int
    campaign_id: str
    name: str
    cpc: float
    ctr: float
    weight: float
    start_d: int
    end_d: int


def _d(iso: str | None, default: int) -> int:
    return default if iso is None else int(np.datetime64(iso, "D").astype(np.int64))


CAMPAIGN_SPECS: tuple[tuple[int, int, str, float, float, float, str | None, str | None], ...] = (
    (0, 3301001, "Brand - Search", 3.4, 0.12, 0.20, None, None),
    (0, 3301002, "CRM Software - Generic", 14.0, 0.045, 0.38, None, None),
    (0, 3301003, "Competitors, EU & US", 17.5, 0.032, 0.22, None, None),
    (0, 3301004, "Sales Pipeline - Long Tail", 9.0, 0.055, 0.20, "2025-10-13", None),
    (0, 3301005, "Black Friday - Annual Plans", 11.0, 0.06, 0.35, "2025-11-20", "2025-12-02"),
    (1, 238501000000011, "Prospecting - Lookalike SMB", 2.4, 0.011, 0.40, None, None),
    (1, 238501000000012, "Retargeting - Site Visitors", 3.1, 0.019, 0.25, None, None),
    (1, 238501000000013, "Lead Ads - Free Trial", 2.7, 0.013, 0.30, "2025-10-01", None),
    (1, 238501000000014, "Video - Brand Awareness", 1.5, 0.008, 0.15, "2026-02-02", "2026-06-28"),
    (2, 91000011, "Poisk KZ Brand", 1400.0, 0.11, 0.30, None, None),
    (2, 91000012, "Poisk KZ CRM Generic", 5200.0, 0.05, 0.50, None, None),
    (2, 91000013, "RSYa KZ Retargeting", 1900.0, 0.006, 0.20, "2025-09-08", None),
)
#: Step between the ids of a campaign's regional copies (more campaigns at large scales).
COPY_ID_STEP = (100, 1000, 100)


def _campaigns(scale: float) -> list[_Campaign]:
    """The campaigns: the base set, copied into regional variants when scale > 1."""
    copies = max(1, round(scale**0.5)) if scale > 1 else 1
    out: list[_Campaign] = []
    for copy in range(copies):
        for platform, cid, name, cpc, ctr, weight, start, end in CAMPAIGN_SPECS:
            out.append(
                _Campaign(
                    platform=platform,
                    campaign_id=str(cid + copy * COPY_ID_STEP[platform]),
                    name=name if copy == 0 else f"{name} #{copy + 1}",
                    cpc=cpc * (1 + 0.03 * (copy % 5)),
                    ctr=ctr,
                    weight=weight,
                    start_d=_d(start, START_D),
                    end_d=_d(end, END_D),
                )
            )
    return out


# ----------------------------------------------------------------------------- traffic


@dataclass(frozen=True)
class _Source:
    """How a channel's traffic looks: its UTMs, referrers, click ids and landing pages."""

    pairs: tuple[tuple[str | None, str | None, float], ...]
    campaigns: tuple[str, ...] = ()
    campaign_p: float = 0.0
    content: tuple[str, ...] = ()
    content_p: float = 0.0
    term: tuple[str, ...] = ()
    term_p: float = 0.0
    referrers: tuple[tuple[str | None, float], ...] = ((None, 1.0),)
    click_p: float = 0.0
    auto_tag_p: float = 0.0
    landing: tuple[tuple[str, float], ...] = (("/", 0.5), ("/pricing", 0.3), ("/features", 0.2))


TERMS_EN = (
    "crm for small business",
    "simple crm",
    "sales pipeline software",
    "best crm 2026",
    "hubspot alternative",
    "pipedrive alternative",
    "crm for agencies",
    "lead tracking",
)
TERMS_KZ = ("crm sistema", "crm dlya biznesa", "amocrm alternativa", "upravlenie prodazhami",
            "crm kazakhstan")  # fmt: skip
SOURCES: dict[int, _Source] = {
    GOOGLE: _Source(
        pairs=(("google", "cpc", 0.88), ("Google", "cpc", 0.05), ("google", "CPC", 0.05),
               ("google ", "cpc", 0.02)),
        content=("rsa_a", "rsa_b", "rsa_c"), content_p=0.3, term=TERMS_EN, term_p=0.45,
        referrers=(("google.com", 0.7), (None, 0.3)), click_p=0.9, auto_tag_p=0.05,
        landing=(("/", 0.2), ("/pricing", 0.25), ("/demo", 0.2), ("/lp/crm-for-smb", 0.35)),
    ),
    META: _Source(
        pairs=(("facebook", "cpc", 0.28), ("facebook", "paid_social", 0.27),
               ("Facebook", "cpc", 0.05), ("instagram", "paid", 0.15),
               ("instagram", "stories", 0.1), ("Instagram", "Stories", 0.08),
               ("instagram", "reels", 0.07)),
        content=("carousel_1", "video_15s", "static_v2", "lead_form"), content_p=0.5,
        referrers=(("facebook.com", 0.25), ("l.facebook.com", 0.2), ("m.facebook.com", 0.1),
                   ("l.instagram.com", 0.25), (None, 0.2)),
        click_p=0.9, auto_tag_p=0.05,
        landing=(("/", 0.2), ("/lp/free-trial", 0.5), ("/pricing", 0.3)),
    ),
    YANDEX: _Source(
        pairs=(("yandex", "cpc", 0.85), ("Yandex", "CPC", 0.1), ("yandex", "CPC", 0.05)),
        term=TERMS_KZ, term_p=0.5, content=("tgo_1", "tgo_2"), content_p=0.2,
        referrers=(("yandex.kz", 0.5), ("yandex.ru", 0.3), (None, 0.2)),
        click_p=0.9, auto_tag_p=0.05,
        landing=(("/kz", 0.5), ("/kz/pricing", 0.3), ("/demo", 0.2)),
    ),
    ORG_SOCIAL: _Source(
        pairs=(("linkedin", "social", 0.85), ("LinkedIn", "Social", 0.15)),
        campaigns=("founder_posts", "product_updates", "case_study"), campaign_p=0.8,
        referrers=(("linkedin.com", 0.6), ("lnkd.in", 0.2), (None, 0.2)),
        landing=(("/blog/pipeline-hygiene", 0.4), ("/customers", 0.3), ("/", 0.3)),
    ),
    EMAIL: _Source(
        pairs=(("newsletter", "email", 0.9), ("Newsletter", "Email", 0.1)),
        campaigns=("monthly_digest", "product_update", "webinar_invite", "winback"),
        campaign_p=0.95, content=("cta_top", "cta_bottom"), content_p=0.4,
        landing=(("/blog", 0.4), ("/features", 0.3), ("/pricing", 0.3)),
    ),
    PARTNERS: _Source(
        pairs=(("partner", "referral", 1.0),),
        campaigns=("p_agencyhub", "p_salesguild", "p_kz_integrator", "p_bookkeepers"),
        campaign_p=1.0,
        referrers=(("agencyhub.io", 0.3), ("salesguild.com", 0.3), ("integrator.kz", 0.2),
                   ("bookkeepers.net", 0.2)),
        landing=(("/partners", 0.5), ("/demo", 0.5)),
    ),
    EVENTS: _Source(
        pairs=(("webinar", "email", 0.5), ("webinar", "zoom", 0.2), ("webinar", "event", 0.2),
               ("Webinar", "Email", 0.1)),
        campaigns=("webinar_pipeline_101", "webinar_kz_sales", "saas_meetup"), campaign_p=1.0,
        referrers=((None, 0.6), ("zoom.us", 0.25), ("eventbrite.com", 0.15)),
        landing=(("/webinar", 0.8), ("/demo", 0.2)),
    ),
    ORG_SEARCH: _Source(
        pairs=((None, None, 1.0),),
        referrers=(("google.com", 0.55), ("yandex.ru", 0.12), ("bing.com", 0.15),
                   ("search.yahoo.com", 0.06), ("duckduckgo.com", 0.12)),
        landing=(("/", 0.25), ("/blog/what-is-a-crm", 0.3), ("/blog/sales-pipeline", 0.25),
                 ("/pricing", 0.2)),
    ),
    REFERRAL: _Source(
        pairs=((None, None, 1.0),),
        referrers=(("g2.com", 0.2), ("capterra.com", 0.2), ("medium.com", 0.1),
                   ("habr.com", 0.08), ("vc.ru", 0.07), ("reddit.com", 0.1),
                   ("news.ycombinator.com", 0.05), ("producthunt.com", 0.1),
                   ("getapp.com", 0.1)),
        landing=(("/", 0.4), ("/pricing", 0.3), ("/features", 0.3)),
    ),
    DIRECT: _Source(
        pairs=((None, None, 1.0),),
        landing=(("/", 0.45), ("/pricing", 0.2), ("/demo", 0.15), ("/login", 0.2)),
    ),
    OTHER: _Source(
        pairs=(("tiktok", "cpc", 0.25), ("bing", "cpc", 0.2), ("reddit", "social", 0.15),
               ("facebook", "social", 0.15), ("producthunt", "launch", 0.1),
               ("g2", "listing", 0.15)),
        campaigns=("test_q4", "launch_day", "spring_promo"), campaign_p=0.7,
        referrers=((None, 0.6), ("reddit.com", 0.2), ("tiktok.com", 0.2)),
        landing=(("/", 0.5), ("/pricing", 0.5)),
    ),
}  # fmt: skip


class _Pool:
    """Interned strings: code 0 is NULL, arrays of codes become string arrays cheaply."""

    def __init__(self) -> None:
        self.values: list[str | None] = [None]
        self._index: dict[str | None, int] = {None: 0}
        self._array: pa.Array | None = None

    def code(self, value: str | None) -> int:
        if value not in self._index:
            self._index[value] = len(self.values)
            self.values.append(value)
            self._array = None
        return self._index[value]

    def codes(self, values: Sequence[str | None]) -> np.ndarray:
        return np.array([self.code(v) for v in values], dtype=np.int32)

    def take(self, codes: np.ndarray) -> pa.Array:
        if self._array is None:
            self._array = pa.array(self.values, type=pa.string())
        return self._array.take(pa.array(np.asarray(codes, dtype=np.int32)))


# ----------------------------------------------------------------------------- helpers


def _rng(seed: int, *stream: int) -> np.random.Generator:
    """An independent random stream per component (and per chunk), all from one seed."""
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


def _choice(rng: np.random.Generator, n: int, probs: Sequence[float] | np.ndarray) -> np.ndarray:
    """n draws of an index with the given (unnormalised) probabilities."""
    p = np.asarray(probs, dtype=float)
    cum = np.cumsum(p / p.sum())
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(p) - 1)


def _lognormal(
    rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float, n: int
) -> np.ndarray:
    """n lognormal draws with the given median(s) and log-sd(s)."""
    return np.asarray(median) * np.exp(rng.normal(0.0, 1.0, n) * np.asarray(sigma))


def _group_positions(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of the given sizes: the group of every row and its position within it."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - starts[owner]


def _add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Day numbers plus whole months, the day of month clamped (Jan 31 + 1 = Feb 28)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)
    m2 = m + np.asarray(months, dtype=np.int64)
    first = m2.astype("datetime64[D]")
    last = ((m2 + 1).astype("datetime64[D]") - first).astype(np.int64) - 1
    return (first + np.minimum(dom, last)).astype(np.int64)


def _month_of(seconds: np.ndarray) -> np.ndarray:
    """Index of the data month of each instant (-1 before, N_MONTHS after the calendar)."""
    return np.searchsorted(MONTH_STARTS * DAY, seconds, side="right") - 1


def _ts(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """'YYYY-MM-DDTHH:MM:SSZ' strings (NULL where not valid)."""
    arr = pa.array(
        np.asarray(seconds, dtype=np.int64).astype("datetime64[s]"),
        mask=None if valid is None else ~np.asarray(valid, dtype=bool),
    )
    return pc.strftime(arr, format="%Y-%m-%dT%H:%M:%SZ")


def _ts_variants(seconds: np.ndarray, variant: np.ndarray, sub_us: np.ndarray) -> pa.Array:
    """Timestamps in the shapes loaders deliver: 0 'Z', 1 no zone, 2 '+03:00' local time,
    3 milliseconds + 'Z', 4 microseconds, no zone. sub_us: the sub-second part (0..999999)."""
    out = _ts(seconds)
    shapes: list[tuple[int, Callable[[np.ndarray], pa.Array]]] = [
        (
            1,
            lambda m: pc.strftime(
                pa.array(seconds[m].astype("datetime64[s]")), format="%Y-%m-%dT%H:%M:%S"
            ),
        ),
        (
            2,
            lambda m: pc.strftime(
                pa.array((seconds[m] + 3 * HOUR).astype("datetime64[s]")),
                format="%Y-%m-%dT%H:%M:%S+03:00",
            ),
        ),
        (
            3,
            lambda m: pc.strftime(
                pa.array((seconds[m] * 1000 + sub_us[m] // 1000).astype("datetime64[ms]")),
                format="%Y-%m-%dT%H:%M:%SZ",
            ),
        ),
        (
            4,
            lambda m: pc.strftime(
                pa.array((seconds[m] * 1_000_000 + sub_us[m]).astype("datetime64[us]")),
                format="%Y-%m-%d %H:%M:%S",
            ),
        ),
    ]
    for code, fmt in shapes:
        mask = variant == code
        if mask.any():
            out = pc.replace_with_mask(out, pa.array(mask), fmt(mask))
    return out


def _date(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """'YYYY-MM-DD' strings from day numbers (NULL where not valid)."""
    arr = pa.array(
        np.asarray(days, dtype=np.int64).astype("datetime64[D]"),
        mask=None if valid is None else ~np.asarray(valid, dtype=bool),
    )
    return pc.cast(arr, pa.string())


def _int(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(
        np.asarray(values, dtype=np.int64),
        mask=None if valid is None else ~np.asarray(valid, dtype=bool),
    )
    return pc.cast(arr, pa.string())


def _money(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """'1234.50' strings from integer cents (NULL where not valid)."""
    c = np.asarray(cents, dtype=np.int64)
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    a = np.abs(c)
    whole = pc.cast(pa.array(a // 100, mask=mask), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(a % 100), pa.string()), width=2, padding="0")
    out = pc.binary_join_element_wise(whole, frac, ".")
    neg = c < 0
    if neg.any():
        out = pc.if_else(pa.array(neg), pc.binary_join_element_wise("-", out, ""), out)
    return out


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """'LD-0000042' style ids."""
    digits = pc.utf8_lpad(_int(numbers), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _with_nulls(values: pa.Array, valid: np.ndarray) -> pa.Array:
    """values, NULL where not valid."""
    if valid.all():
        return values
    return pc.if_else(pa.array(valid), values, pa.nulls(len(values), pa.string()))


def _random_token(rng: np.random.Generator, n: int, length: int, alphabet: bytes) -> pa.Array:
    """n random strings of the given length over the alphabet (click ids and the like)."""
    table = np.frombuffer(alphabet, dtype=np.uint8)
    chars = table[rng.integers(0, len(table), size=(n, length))]
    raw = np.ascontiguousarray(chars).view(f"S{length}").ravel()
    return pc.cast(pa.array(raw, type=pa.binary(length)), pa.string())


ALNUM = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
URLSAFE = ALNUM + b"-_"

# ----------------------------------------------------------------------------- CSV writer


class _CsvWriter:
    """Writes a CSV the way the contract reads it: UTF-8, comma, header, `"` quoting only
    where a value needs it, NULL as an empty field, '\\n' line ends. Written to a temp file
    and renamed into place when closed."""

    CHUNK = 200_000

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        self.columns = tuple(columns)
        self.rows = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = path.with_name(path.name + ".tmp")
        self._fh = open(self._tmp, "wb")  # noqa: SIM115 (closed in close())
        self._fh.write((",".join(self.columns) + "\n").encode())

    def write(self, data: dict[str, pa.Array]) -> None:
        """Append rows; data holds one string array per column (all of the same length)."""
        missing = set(self.columns) ^ set(data)
        if missing:
            raise ValueError(f"{self.path.name}: columns do not match: {sorted(missing)}")
        n = len(data[self.columns[0]])
        for start in range(0, n, self.CHUNK):
            cols = [data[c].slice(start, self.CHUNK) for c in self.columns]
            self._fh.write(self._encode(cols))
        self.rows += n

    @staticmethod
    def _encode(cols: list[pa.Array]) -> bytes | pa.Buffer:
        quoted_cols = []
        for col in cols:
            col = col if col.type == pa.string() else pc.cast(col, pa.string())
            need = pc.match_substring_regex(col, r'[",\r\n]')
            if pc.any(need).as_py():
                quoted = pc.binary_join_element_wise(
                    '"', pc.replace_substring(col, '"', '""'), '"', ""
                )
                col = pc.if_else(need, quoted, col)
            quoted_cols.append(col)
        lines = pc.binary_join_element_wise(
            *quoted_cols, ",", null_handling="replace", null_replacement=""
        )
        lines = pc.binary_join_element_wise(lines, "", "\n")
        if isinstance(lines, pa.ChunkedArray):
            lines = lines.combine_chunks()
        if len(lines) == 0:
            return b""
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
        lo, hi = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
        return lines.buffers()[2].slice(lo, hi - lo)

    def close(self) -> int:
        self._fh.close()
        os.replace(self._tmp, self.path)
        return self.rows


# ----------------------------------------------------------------------------- leads


@dataclass
class _Leads:
    """All leads, sorted by created_at (index = lead number, lead_id LD-<index+1>)."""

    created: np.ndarray
    channel: np.ndarray  # true acquisition channel (direct for invalid leads)
    country: np.ndarray
    kind: np.ndarray  # 0 valid, 1 spam, 2 test e-mail, 3 duplicate
    dup_of: np.ndarray  # lead number of the original, -1
    owner: np.ndarray  # rep index, -1
    visitor: np.ndarray  # visitor number, -1
    form: np.ndarray  # form code
    email: pa.Array
    phone: pa.Array
    full_name: pa.Array
    form_utm: np.ndarray  # bool: carries UTMs of its channel without sessions
    time_shape: np.ndarray  # 0 'Z', 1 no zone

    @property
    def n(self) -> int:
        return len(self.created)


FORMS = ("demo_request", "pricing", "webinar", "chat", "call")
FORM_MIX = np.array([0.47, 0.26, 0.05, 0.15, 0.07])
HOUR_OF_DAY = np.array([0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.5, 3.8, 3.6, 3.0, 3.4,
                        3.6, 3.3, 2.8, 2.0, 1.4, 1.1, 0.9, 0.7, 0.5, 0.3])  # fmt: skip
WEEKDAY = np.array([1.0, 1.05, 1.05, 1.0, 0.9, 0.35, 0.3])  # Monday first
SEASON = {1: 0.95, 2: 1.0, 3: 1.1, 4: 1.05, 5: 1.0, 6: 0.92, 7: 0.85, 8: 0.85, 9: 1.05,
          10: 1.1, 11: 1.05, 12: 0.8}  # fmt: skip


def _month_weights() -> np.ndarray:
    """Relative lead volume per data month: +4.5% a month, times seasonality."""
    moy = (MONTH_STARTS[:-1].astype("datetime64[D]").astype("datetime64[M]").astype(int) % 12) + 1
    return (1 + 0.045 * np.arange(N_MONTHS)) * np.array([SEASON[int(m)] for m in moy])


def _times_in_months(
    rng: np.random.Generator, month: np.ndarray, utc_offset: np.ndarray
) -> np.ndarray:
    """Instants in the given months: weekday-weighted day, business-hours local time."""
    out = np.empty(len(month), dtype=np.int64)
    for m in range(N_MONTHS):
        idx = np.flatnonzero(month == m)
        if len(idx) == 0:
            continue
        days = np.arange(MONTH_STARTS[m], MONTH_STARTS[m + 1])
        day = days[_choice(rng, len(idx), WEEKDAY[(days + 3) % 7])]
        hour = (_choice(rng, len(idx), HOUR_OF_DAY) - utc_offset[idx]) % 24
        out[idx] = day * DAY + hour * HOUR + rng.integers(0, HOUR, len(idx))
    return out


def _people(
    rng: np.random.Generator, country: np.ndarray, unique_no: np.ndarray
) -> tuple[pa.Array, pa.Array, pa.Array, np.ndarray]:
    """Plausible full names, e-mails and phones for people of the given countries.

    Phones are unique by construction (a per-country 4-digit prefix plus 7 digits from a
    bijection of unique_no); e-mails get a number appended where they would collide.
    Returns (full_name, email, phone, first-name codes for later variants)."""
    n = len(country)
    first_pool, last_pool = _Pool(), _Pool()
    first = np.zeros(n, dtype=np.int32)
    last = np.zeros(n, dtype=np.int32)
    dom_pool = _Pool()
    domain = np.zeros(n, dtype=np.int32)
    for ci, c in enumerate(COUNTRIES):
        idx = np.flatnonzero(country == ci)
        if len(idx) == 0:
            continue
        firsts, lasts = NAMES[c.names]
        first[idx] = first_pool.codes(firsts)[rng.integers(0, len(firsts), len(idx))]
        last[idx] = last_pool.codes(lasts)[rng.integers(0, len(lasts), len(idx))]
        w1 = rng.integers(0, len(COMPANY_WORDS[0]), len(idx))
        w2 = rng.integers(0, len(COMPANY_WORDS[1]), len(idx))
        company = [f"{a}{b}.{c.tld}" for a in COMPANY_WORDS[0] for b in COMPANY_WORDS[1]]
        codes = dom_pool.codes(company)[w1 * len(COMPANY_WORDS[1]) + w2]
        personal = PERSONAL_DOMAINS[c.names]
        pcodes = dom_pool.codes(personal)[rng.integers(0, len(personal), len(idx))]
        domain[idx] = np.where(rng.random(len(idx)) < 0.25, pcodes, codes)
    first_s, last_s = first_pool.take(first), last_pool.take(last)
    full_name = pc.binary_join_element_wise(first_s, last_s, " ")
    fl = pc.utf8_lower(first_s)
    ll = pc.replace_substring(pc.utf8_lower(last_s), " ", "")
    local = pc.choose(
        pa.array(_choice(rng, n, [0.5, 0.2, 0.1, 0.1, 0.1]).astype(np.int8)),
        pc.binary_join_element_wise(fl, ll, "."),
        pc.binary_join_element_wise(pc.utf8_slice_codeunits(fl, 0, 1), ll, ""),
        pc.binary_join_element_wise(fl, ll, "_"),
        pc.binary_join_element_wise(fl, ll, ""),
        fl,
    )
    email = pc.binary_join_element_wise(local, dom_pool.take(domain), "@")
    # make e-mails unique: append a number to the later copies
    for attempt in range(5):
        seen = pa.array(email).to_pandas().duplicated(keep="first").to_numpy()
        if not seen.any():
            break
        parts = pc.split_pattern(email, "@")
        loc = pc.list_element(parts, 0)
        dom = pc.list_element(parts, 1)
        suffix = _int(rng.integers(2, 99 if attempt == 0 else 99_999, n))
        renamed = pc.binary_join_element_wise(
            pc.binary_join_element_wise(loc, suffix, ""), dom, "@"
        )
        email = pc.if_else(pa.array(seen), renamed, email)
    else:  # still colliding after 5 rounds (never seen): number them by row
        seen = pa.array(email).to_pandas().duplicated(keep="first").to_numpy()
        parts = pc.split_pattern(email, "@")
        numbered = pc.binary_join_element_wise(
            pc.binary_join_element_wise(pc.list_element(parts, 0), _int(np.arange(n)), "."),
            pc.list_element(parts, 1),
            "@",
        )
        email = pc.if_else(pa.array(seen), numbered, email)
    # phones
    cc = pa.array([c.cc for c in COUNTRIES]).take(pa.array(country))
    area = pa.array([c.area for c in COUNTRIES]).take(pa.array(country))
    sub = pc.utf8_lpad(_int((unique_no * 7_919 + 1_234_567) % 10_000_000), width=7, padding="0")
    s3, s4 = pc.utf8_slice_codeunits(sub, 0, 3), pc.utf8_slice_codeunits(sub, 3, 7)
    s2a, s2b = pc.utf8_slice_codeunits(sub, 3, 5), pc.utf8_slice_codeunits(sub, 5, 7)
    plus_cc = pc.binary_join_element_wise("+", cc, "")
    shape = _choice(rng, n, [0.45, 0.3, 0.1, 0.15])
    shape = np.where((country == KZ) & (shape == 1), 4, shape).astype(np.int8)
    phone = _phone_shapes(shape, plus_cc, cc, area, s3, s4, s2a, s2b)
    return full_name, email, phone, first


def _phone_shapes(shape, plus_cc, cc, area, s3, s4, s2a, s2b) -> pa.Array:
    """The same number written five ways (only punctuation differs)."""
    j = pc.binary_join_element_wise
    return pc.choose(
        pa.array(np.asarray(shape, dtype=np.int8)),
        j(plus_cc, area, s3, s4, " "),  # +1 646 123 4567
        j(plus_cc, j("(", area, ")", ""), j(s3, s4, "-"), " "),  # +1 (646) 123-4567
        j(cc, area, s3, s4, ""),  # 16461234567
        j(plus_cc, area, s3, s4, "-"),  # +1-646-123-4567
        j(plus_cc, j("(", area, ")", ""), j(s3, s2a, s2b, "-"), " "),  # +7 (701) 123-45-67
    )


def _make_leads(seed: int, scale: float) -> _Leads:
    """Leads: volume by month, channel, country, invalid ones, owners, visitors, people."""
    rng = _rng(seed, 1)
    n_total = max(40, round(BASE_LEADS * scale))
    n_dup = round(0.04 * n_total)
    n_main = n_total - n_dup
    w = _month_weights()
    month = np.repeat(np.arange(N_MONTHS), rng.multinomial(n_main, w / w.sum()))
    rng.shuffle(month)
    u = rng.random(n_main)
    kind = np.where(u < 0.03 * n_total / n_main, 1, 0)
    kind = np.where((u >= 0.03 * n_total / n_main) & (u < 0.04 * n_total / n_main), 2, kind)
    channel = _choice(rng, n_main, LEAD_MIX)
    channel = np.where(kind == 0, channel, DIRECT)
    country = _choice(rng, n_main, [c.weight for c in COUNTRIES])
    yx = channel == YANDEX
    country[yx] = _choice(rng, int(yx.sum()), YANDEX_COUNTRY_MIX)
    offsets = np.array([c.utc_offset for c in COUNTRIES])
    created = _times_in_months(rng, month, offsets[country])
    owner = rng.integers(0, N_REPS, n_main)
    owner = np.where((kind == 1) & (rng.random(n_main) < 0.6), -1, owner)
    form = _choice(rng, n_main, FORM_MIX)
    form = np.where((channel == EVENTS) & (rng.random(n_main) < 0.7), FORMS.index("webinar"), form)
    has_visitor = rng.random(n_main) < VISITOR_SHARE[channel]
    has_visitor &= form != FORMS.index("call")
    has_visitor = np.where(kind == 1, rng.random(n_main) < 0.3, has_visitor)
    has_visitor &= kind != 2
    form_utm = ~has_visitor & (kind == 0) & (rng.random(n_main) < 0.8)
    form_utm &= ~np.isin(channel, [ORG_SEARCH, REFERRAL, DIRECT])
    # originals of the duplicates (chosen now so that everybody's e-mail is drawn at once)
    cand = np.flatnonzero((kind == 0) & (created < END_S - 12 * DAY))
    orig = np.sort(rng.choice(cand, size=min(n_dup, len(cand)), replace=False))
    nd = len(orig)
    people = _people(rng, np.concatenate([country, country[orig]]), np.arange(n_main + nd))
    full_name, email, phone = (a.slice(0, n_main) for a in people[:3])
    d_name, d_email_new, d_phone_new = (a.slice(n_main) for a in people[:3])
    phone = _with_nulls(phone, rng.random(n_main) >= 0.08)

    # spam and test leads look like what they are
    spam = np.flatnonzero(kind == 1)
    spam_names = [
        "SEO Promotion",
        "Casino Bonus",
        "asdf asdf",
        "Crypto Profit",
        "Web Design",
        "xxx",
        "Free Backlinks",
    ]
    spam_pool = _Pool()
    spam_name = spam_pool.codes(spam_names)[rng.integers(0, len(spam_names), len(spam))]
    spam_email = pc.binary_join_element_wise(
        _random_token(rng, len(spam), 9, b"abcdefghijklmnopqrstuvwxyz0123456789"),
        spam_pool.take(
            spam_pool.codes(["mail.ru", "gmail.com", "promo-rank.xyz", "bk.ru"])[
                rng.integers(0, 4, len(spam))
            ]
        ),
        "@",
    )
    test = np.flatnonzero(kind == 2)
    test_local = pc.binary_join_element_wise(
        spam_pool.take(
            spam_pool.codes(["qa", "test", "demo.check", "sales.test"])[
                rng.integers(0, 4, len(test))
            ]
        ),
        _int(np.arange(len(test)) + 1),
        "",
    )
    test_email = pc.binary_join_element_wise(
        test_local,
        spam_pool.take(
            spam_pool.codes(["example.com", "test.local"])[rng.integers(0, 2, len(test))]
        ),
        "@",
    )
    test_name = spam_pool.codes(["Test Lead", "QA Check", "Test Test"])[
        rng.integers(0, 3, len(test))
    ]
    email = _scatter(email, spam, spam_email)
    email = _scatter(email, test, test_email)
    full_name = _scatter(full_name, spam, spam_pool.take(spam_name))
    full_name = _scatter(full_name, test, spam_pool.take(test_name))
    phone = _scatter(phone, spam, pa.nulls(len(spam), pa.string()))
    # a few valid leads typed their e-mail with stray spaces (trimmed by the loader)
    sp = np.flatnonzero((kind == 0) & (rng.random(n_main) < 0.004))
    email = _scatter(email, sp, pc.binary_join_element_wise(email.take(pa.array(sp)), " ", ""))

    # duplicates: the same person again within days, by e-mail or by phone
    d_created = created[orig] + rng.integers(HOUR // 2, 12 * DAY, nd)
    orig_phone_ok = pc.is_valid(phone.take(pa.array(orig))).to_numpy(zero_copy_only=False)
    by_email = (rng.random(nd) < 0.5) | ~orig_phone_ok
    o_email = email.take(pa.array(orig))
    e_variant = pc.choose(
        pa.array(rng.integers(0, 3, nd).astype(np.int8)),
        pc.utf8_upper(o_email),
        pc.utf8_capitalize(o_email),
        pc.binary_join_element_wise(" ", pc.utf8_swapcase(o_email), ""),
    )
    o_phone = phone.take(pa.array(orig))
    o_digits = pc.replace_substring_regex(o_phone, r"\D", "")
    d_phone_variant = pc.if_else(
        pa.array(rng.random(nd) < 0.5),
        o_digits,
        pc.binary_join_element_wise("+", o_digits, ""),
    )
    d_email = pc.if_else(pa.array(by_email), e_variant, d_email_new)
    d_phone = pc.if_else(
        pa.array(by_email),
        _with_nulls(d_phone_new, rng.random(nd) < 0.5),
        d_phone_variant,
    )
    d_fullname = pc.if_else(pa.array(rng.random(nd) < 0.7), full_name.take(pa.array(orig)), d_name)

    # all together, sorted by created_at
    created_all = np.concatenate([created, d_created])
    order = np.argsort(created_all, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    n = len(order)
    dup_of_all = np.concatenate([np.full(n_main, -1), rank[orig]])
    visitor_raw = np.concatenate([np.where(has_visitor, 0, -1), np.full(nd, -2)])
    owner_all = np.concatenate([owner, owner[orig]])
    form_all = np.concatenate([form, _choice(rng, nd, FORM_MIX)])
    leads = _Leads(
        created=created_all[order],
        channel=np.concatenate([channel, np.full(nd, DIRECT)])[order],
        country=np.concatenate([country, country[orig]])[order],
        kind=np.concatenate([kind, np.full(nd, 3)])[order],
        dup_of=dup_of_all[order],
        owner=owner_all[order],
        visitor=np.zeros(n, dtype=np.int64),
        form=form_all[order],
        email=pa.concat_arrays([email, d_email]).take(pa.array(order)),
        phone=pa.concat_arrays([phone, d_phone]).take(pa.array(order)),
        full_name=pa.concat_arrays([full_name, d_fullname]).take(pa.array(order)),
        form_utm=np.concatenate([form_utm, np.zeros(nd, dtype=bool)])[order],
        time_shape=(rng.random(n) < 0.01).astype(np.int8),
    )
    # visitor numbers: 0.. for leads with a journey, in lead order; duplicates often reuse
    # the original's visitor (they came back to the site)
    vr = visitor_raw[order]
    has = vr == 0
    leads.visitor = np.where(has, np.cumsum(has) - 1, -1)
    dup = np.flatnonzero(vr == -2)
    reuse = rng.random(len(dup)) < 0.4
    leads.visitor[dup[reuse]] = leads.visitor[leads.dup_of[dup[reuse]]]
    return leads


def _scatter(values: pa.Array, idx: np.ndarray, new: pa.Array) -> pa.Array:
    """values with the rows idx (ascending) replaced by new."""
    if len(idx) == 0:
        return values
    mask = np.zeros(len(values), dtype=bool)
    mask[idx] = True
    return pc.replace_with_mask(values, pa.array(mask), new.cast(values.type))


# ----------------------------------------------------------------------------- funnel

STAGES = ("discovery", "proposal", "negotiation", "closed_won", "closed_lost")
PIPELINES = ("smb", "mid_market", "kz")
LOST_REASONS = ("price", "no_decision", "competitor", "no_budget", "timing", "missing_feature")
DQ_REASONS = ("no_budget", "not_a_fit", "chose_competitor", "just_browsing", "wrong_contact")
TIERS = ("starter", "team", "business")
#: Monthly price per seat, in cents, per currency (USD, EUR, GBP, KZT).
SEAT_PRICE = np.array([
    [1_900, 1_800, 1_500, 890_000],
    [3_900, 3_600, 3_100, 1_790_000],
    [7_900, 7_200, 6_300, 3_590_000],
])  # fmt: skip


@dataclass
class _Funnel:
    """Calls, deals and stage history of the leads (plus the deals with no lead)."""

    lead_status: np.ndarray
    lead_dq_reason: np.ndarray  # code into DQ_REASONS + ('no_response', 'duplicate', 'test')
    call_lead: np.ndarray
    call_time: np.ndarray
    call_outcome: np.ndarray  # 0 connected, 1 no_answer, 2 busy, 3 voicemail
    call_duration: np.ndarray
    lead_email_lead: np.ndarray
    lead_email_time: np.ndarray
    deal_lead: np.ndarray  # lead number or -1; deals sorted by created_at
    deal_created: np.ndarray
    deal_owner: np.ndarray
    deal_pipeline: np.ndarray
    deal_country: np.ndarray
    deal_tier: np.ndarray
    deal_seats: np.ndarray
    deal_annual: np.ndarray
    deal_stage: np.ndarray
    deal_closed: np.ndarray  # -1 while open
    deal_won: np.ndarray  # 1 won, 0 lost, -1 open
    deal_lost_reason: np.ndarray
    deal_time_shape: np.ndarray
    hist_deal: np.ndarray
    hist_stage: np.ndarray
    hist_time: np.ndarray
    meet_deal: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    meet_time: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    meet_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))


LEAD_STATUSES = ("new", "in_progress", "qualified", "disqualified", "converted", "spam")
DQ_ALL = (*DQ_REASONS, "no_response", "duplicate", "test")


def _funnel(seed: int, leads: _Leads) -> _Funnel:
    """Calls (speed to lead), deals, their stage history, and every lead's status."""
    rng = _rng(seed, 2)
    n = leads.n
    valid = leads.kind == 0
    rep = np.maximum(leads.owner, 0)

    # --- calls on valid leads: first call after a rep-specific delay, retries until reached
    called = valid & (rng.random(n) < P_CALLED[rep])
    reached = called & (rng.random(n) < P_REACHED[rep])
    attempts = np.where(
        reached, 1 + _choice(rng, n, [0.6, 0.3, 0.1]), 1 + _choice(rng, n, [0.3, 0.4, 0.3])
    )
    # invalid leads: a duplicate is sometimes called once, spam rarely
    dup_call = (leads.kind == 3) & (rng.random(n) < 0.3)
    spam_call = (leads.kind == 1) & (leads.owner >= 0) & (rng.random(n) < 0.2)
    attempts = np.where(called, attempts, np.where(dup_call | spam_call, 1, 0))
    c_lead, c_pos = _group_positions(attempts)
    delay_min = _lognormal(rng, FIRST_CALL_MEDIAN_MIN[rep], FIRST_CALL_SIGMA[rep], n)
    gap = (
        np.where(
            c_pos == 0,
            delay_min[c_lead] * 60,
            _lognormal(rng, 4.0 * HOUR, 0.9, len(c_lead)),
        ).astype(np.int64)
        + 20
    )
    c_time = leads.created[c_lead] + _cumsum_in_groups(gap, attempts)
    last = c_pos == attempts[c_lead] - 1
    c_out = np.where(
        last & (reached[c_lead] | dup_call[c_lead]),
        0,
        1 + _choice(rng, len(c_lead), [0.6, 0.15, 0.25]),
    )
    c_dur = np.where(
        c_out == 0,
        np.clip(_lognormal(rng, 420.0, 0.7, len(c_lead)), 45, 3_600),
        np.where(c_out == 3, rng.integers(15, 45, len(c_lead)), 0),
    ).astype(np.int64)
    keep = c_time < END_S
    # the time each lead was reached (END_S when not yet)
    reached_at = np.full(n, END_S, dtype=np.int64)
    conn = keep & (c_out == 0) & valid[c_lead]
    reached_at[c_lead[conn]] = c_time[conn]
    reached_obs = reached_at < END_S
    ever_called = np.zeros(n, dtype=bool)
    ever_called[c_lead[keep]] = True

    # --- deals: from reached valid leads, by channel and rep
    ch = leads.channel
    p_deal = np.minimum(DEAL_RATE[ch] / REACHED_NORMAL, 0.95) * REP_DEAL_FACTOR[rep]
    deal_at = reached_at + _lognormal(rng, 1.0 * DAY, 0.8, n).astype(np.int64) + 600
    has_deal = reached_obs & (rng.random(n) < p_deal) & (deal_at < END_S)
    won = rng.random(n) < WIN_RATE[ch] * REP_WIN_FACTOR[rep]
    dl = np.flatnonzero(has_deal)
    # a few deals are created without a lead (inbound by phone to a rep, renewals of old
    # contracts, ...); they carry no lead_id
    n_free = max(1, round(0.002 * n))
    free_created = START_S + rng.integers(0, END_S - START_S - 5 * DAY, n_free)
    deal_lead = np.concatenate([dl, np.full(n_free, -1)])
    d_created = np.concatenate([deal_at[dl], free_created])
    d_owner = np.concatenate([leads.owner[dl], rng.integers(0, N_REPS, n_free)])
    d_country = np.concatenate(
        [leads.country[dl], _choice(rng, n_free, [c.weight for c in COUNTRIES])]
    )
    d_won = np.concatenate([won[dl], rng.random(n_free) < 0.5])
    order = np.argsort(d_created, kind="stable")
    deal_lead, d_created, d_owner, d_country, d_won = (
        a[order] for a in (deal_lead, d_created, d_owner, d_country, d_won)
    )
    nd = len(deal_lead)
    partner = np.zeros(nd, dtype=bool)
    partner[deal_lead >= 0] = ch[deal_lead[deal_lead >= 0]] == PARTNERS
    pipeline = np.where(rng.random(nd) < np.where(partner, 0.3, 0.18), 1, 0)
    pipeline = np.where(d_country == KZ, 2, pipeline)
    seats = np.where(
        pipeline == 1,
        np.minimum(4 + rng.geometric(0.08, nd), 80),
        np.minimum(rng.geometric(np.where(pipeline == 2, 0.25, 0.3)), 25),
    )
    tier = np.where(
        pipeline == 1, _choice(rng, nd, [0.1, 0.45, 0.45]), _choice(rng, nd, [0.4, 0.45, 0.15])
    )
    annual = rng.random(nd) < np.where(pipeline == 1, 0.35, 0.18)

    # --- stage path and timing
    cycle = _lognormal(rng, np.array([16.0, 30.0, 21.0])[pipeline] * DAY, 0.6, nd)
    cycle = np.where(d_won, cycle, cycle * 0.8).astype(np.int64) + 3 * HOUR
    close_t = d_created + cycle
    lost_at = _choice(rng, nd, [0.4, 0.4, 0.2])  # furthest open stage of a lost deal
    with_neg = np.where(d_won, rng.random(nd) < 0.7, lost_at >= 2)
    with_prop = np.where(d_won, True, lost_at >= 1)
    t_prop = d_created + (cycle * rng.uniform(0.15, 0.4, nd)).astype(np.int64)
    t_neg = d_created + (cycle * rng.uniform(0.55, 0.85, nd)).astype(np.int64)
    h_deal = np.concatenate([np.arange(nd)] * 4)
    h_stage = np.concatenate(
        [np.zeros(nd, np.int64), np.ones(nd, np.int64), np.full(nd, 2), np.where(d_won, 3, 4)]
    )
    h_time = np.concatenate([d_created, t_prop, t_neg, close_t])
    h_keep = np.concatenate([np.ones(nd, bool), with_prop, with_neg, np.ones(nd, bool)])
    h_keep &= h_time < END_S
    h_deal, h_stage, h_time = h_deal[h_keep], h_stage[h_keep], h_time[h_keep]
    o = np.lexsort((h_time, h_deal))
    h_deal, h_stage, h_time = h_deal[o], h_stage[o], h_time[o]
    stage = np.zeros(nd, dtype=np.int64)
    stage[h_deal] = h_stage  # last write per deal wins: its latest stage
    closed = close_t < END_S
    deal_won_flag = np.where(closed, d_won.astype(np.int64), -1)
    lost_reason = np.where(
        deal_won_flag == 0, _choice(rng, nd, [0.3, 0.25, 0.2, 0.1, 0.1, 0.05]), -1
    )

    # --- meetings (discovery call, demo) and e-mails on deals
    m_first = d_created + _lognormal(rng, 1.5 * DAY, 0.6, nd).astype(np.int64)
    m_second = t_prop + _lognormal(rng, 1.0 * DAY, 0.6, nd).astype(np.int64)
    e_deal = d_created + (cycle * rng.uniform(0.05, 0.95, nd)).astype(np.int64)
    meet_deal = np.concatenate([np.arange(nd), np.arange(nd), np.arange(nd)])
    meet_time = np.concatenate([m_first, m_second, e_deal])
    meet_kind = np.concatenate([np.zeros(nd, np.int8), np.zeros(nd, np.int8), np.ones(nd, np.int8)])
    meet_ok = np.concatenate(
        [
            m_first < close_t,
            with_prop & (m_second < close_t) & (rng.random(nd) < 0.6),
            rng.random(nd) < 0.7,
        ]
    ) & (meet_time < END_S)

    # --- lead status
    lead_won = np.zeros(n, dtype=bool)
    lead_deal = np.zeros(n, dtype=bool)
    has_lead = deal_lead >= 0
    lead_deal[deal_lead[has_lead]] = True
    lead_won[deal_lead[has_lead & (deal_won_flag == 1)]] = True
    recent = leads.created >= END_S - 14 * DAY
    u = rng.random(n)
    status = np.full(n, LEAD_STATUSES.index("new"))
    dq = np.full(n, -1)
    contacted_no_deal = valid & reached_obs & ~lead_deal
    status = np.where(contacted_no_deal, np.where(u < 0.08, 2, np.where(u < 0.3, 1, 3)), status)
    status = np.where(contacted_no_deal & recent & (status == 3), 1, status)
    dq = np.where(
        contacted_no_deal & (status == 3), _choice(rng, n, [0.25, 0.25, 0.15, 0.2, 0.15]), dq
    )
    tried = valid & ever_called & ~reached_obs
    status = np.where(tried, np.where((u < 0.4) | recent, 1, 3), status)
    dq = np.where(tried & (status == 3), DQ_ALL.index("no_response"), dq)
    status = np.where(lead_deal, np.where(lead_won, 4, 2), status)
    status = np.where(leads.kind == 1, 5, status)
    test = leads.kind == 2
    status = np.where(test, np.where(u < 0.5, 3, 0), status)
    dq = np.where(test & (status == 3), DQ_ALL.index("test"), dq)
    dups = leads.kind == 3
    status = np.where(dups, np.where(u < 0.75, 3, 0), status)
    dq = np.where(dups & (status == 3), DQ_ALL.index("duplicate"), dq)

    lead_email = valid & reached_obs & (rng.random(n) < 0.4)
    le_lead = np.flatnonzero(lead_email)
    le_time = reached_at[le_lead] + _lognormal(rng, 3.0 * HOUR, 0.7, len(le_lead)).astype(np.int64)
    le_ok = le_time < END_S
    return _Funnel(
        lead_status=status,
        lead_dq_reason=dq,
        call_lead=c_lead[keep],
        call_time=c_time[keep],
        call_outcome=c_out[keep],
        call_duration=c_dur[keep],
        lead_email_lead=le_lead[le_ok],
        lead_email_time=le_time[le_ok],
        deal_lead=deal_lead,
        deal_created=d_created,
        deal_owner=d_owner,
        deal_pipeline=pipeline,
        deal_country=d_country,
        deal_tier=tier,
        deal_seats=seats,
        deal_annual=annual,
        deal_stage=stage,
        deal_closed=np.where(closed, close_t, -1),
        deal_won=deal_won_flag,
        deal_lost_reason=lost_reason,
        deal_time_shape=np.where(rng.random(nd) < 0.01, 2, 0).astype(np.int8),
        hist_deal=h_deal,
        hist_stage=h_stage,
        hist_time=h_time,
        meet_deal=meet_deal[meet_ok],
        meet_time=meet_time[meet_ok],
        meet_kind=meet_kind[meet_ok],
    )


def _cumsum_in_groups(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running sum of values within consecutive groups of the given sizes."""
    total = np.cumsum(values)
    starts = np.cumsum(counts) - counts
    before = np.concatenate([[0], total])[starts]
    return total - np.repeat(before, counts)


# ----------------------------------------------------------------------------- billing


@dataclass
class _Billing:
    """Customers (sorted by created_at), subscriptions, invoices, refunds, onboarding."""

    cust_created: np.ndarray
    cust_deal: np.ndarray  # deal number or -1
    cust_country: np.ndarray
    cust_email: pa.Array
    cust_onboarded: np.ndarray
    sub_cust: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sub_start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sub_plan: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sub_annual: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    sub_status: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sub_canceled: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sub_currency: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    inv: dict[str, np.ndarray] = field(default_factory=dict)
    ref: dict[str, np.ndarray] = field(default_factory=dict)
    act: dict[str, np.ndarray] = field(default_factory=dict)


SUB_STATUSES = ("trialing", "active", "past_due", "canceled")
INV_STATUSES = ("draft", "open", "paid", "void", "uncollectible")
#: Monthly churn hazard: first three months, then later; onboarding multiplies it by 0.7.
CHURN_EARLY, CHURN_LATE, ANNUAL_CHURN = 0.07, 0.035, 0.28
ONBOARDING_EFFECT = 0.7
K_MONTHLY = N_MONTHS + 2


def _billing(seed: int, leads: _Leads, funnel: _Funnel) -> _Billing:
    """Customers of won deals (and self-serve ones) and everything they are billed."""
    rng = _rng(seed, 3)
    # --- customers
    won = np.flatnonzero(funnel.deal_won == 1)
    c_created = funnel.deal_closed[won] + rng.integers(600, 2 * DAY, len(won))
    ok = c_created < END_S
    won, c_created = won[ok], c_created[ok]
    n_self = max(1, round(0.0085 * leads.n))
    w = _month_weights()
    s_month = np.repeat(np.arange(N_MONTHS), rng.multinomial(n_self, w / w.sum()))
    s_country = _choice(rng, n_self, [c.weight for c in COUNTRIES])
    offsets = np.array([c.utc_offset for c in COUNTRIES])
    s_created = _times_in_months(rng, s_month, offsets[s_country])
    c_deal = np.concatenate([won, np.full(n_self, -1)])
    created = np.concatenate([c_created, s_created])
    country = np.concatenate([funnel.deal_country[won], s_country])
    tier = np.concatenate([funnel.deal_tier[won], _choice(rng, n_self, [0.6, 0.4, 0.0])])
    seats = np.concatenate([funnel.deal_seats[won], np.minimum(rng.geometric(0.5, n_self), 5)])
    annual = np.concatenate([funnel.deal_annual[won], rng.random(n_self) < 0.1])
    # e-mail: the lead's, normalised; deals without a lead and self-serve get a new one
    lead_of = np.where(c_deal >= 0, funnel.deal_lead[np.maximum(c_deal, 0)], -1)
    _, fresh_email, _, _ = _people(rng, country, 5_000_000 + np.arange(len(country)))
    lead_email = pc.utf8_lower(
        pc.utf8_trim_whitespace(leads.email.take(pa.array(np.maximum(lead_of, 0))))
    )
    email = pc.if_else(pa.array(lead_of >= 0), lead_email, fresh_email)
    order = np.argsort(created, kind="stable")
    created, c_deal, country, tier, seats, annual = (
        a[order] for a in (created, c_deal, country, tier, seats, annual)
    )
    email = email.take(pa.array(order))
    nc = len(created)
    onboarded = rng.random(nc) < 0.6
    self_serve = c_deal < 0
    b = _Billing(created, c_deal, country, email, onboarded)
    currency = COUNTRY_CURRENCY[country]

    # --- first subscriptions (a few self-serve and sales ones start with a $0 trial)
    trial = rng.random(nc) < np.where(self_serve, 0.5, 0.06)
    trial_end = created + 14 * DAY
    trial_churn = trial & (rng.random(nc) < 0.2)
    hazard_mult = np.where(onboarded, ONBOARDING_EFFECT, 1.0) * np.where(self_serve, 1.15, 1.0)
    paid_start = np.where(trial, trial_end, created + rng.integers(5, 1_800, nc))
    by_transfer = rng.random(nc) < 0.15
    subs1 = _simulate_subs(
        rng,
        cust=np.arange(nc),
        start=paid_start,
        tier=tier,
        seats=seats,
        annual=annual,
        currency=currency,
        hazard=hazard_mult,
        by_transfer=by_transfer,
        skip_paid=trial_churn,
    )
    # --- reactivations: some churned customers come back after 35-120 days
    churned = subs1["churned_after"]  # next renewal day (no invoice), -1
    cand = (churned >= 0) & (churned * DAY < END_S - 45 * DAY) & ~trial_churn
    react = cand & (rng.random(nc) < 0.15)
    r_start = churned * DAY + rng.integers(35 * DAY, 120 * DAY, nc) + rng.integers(0, DAY, nc)
    react &= r_start < END_S - DAY
    ri = np.flatnonzero(react)
    subs2 = _simulate_subs(
        rng,
        cust=ri,
        start=r_start[ri],
        tier=_choice(rng, len(ri), [0.3, 0.5, 0.2]),
        seats=np.maximum(1, seats[ri] + rng.integers(-1, 2, len(ri))),
        annual=np.zeros(len(ri), bool),
        currency=currency[ri],
        hazard=hazard_mult[ri],
        by_transfer=by_transfer[ri],
        skip_paid=np.zeros(len(ri), bool),
    )

    # --- subscriptions table: trial info overrides the first subscription's start/status
    s1_start = np.where(trial, created, subs1["start"])
    s1_status = subs1["status"].copy()
    s1_cancel = subs1["canceled"].copy()
    in_trial = trial & (trial_end >= END_S)
    s1_status = np.where(in_trial, 0, s1_status)
    tc_at = created + rng.integers(3 * DAY, 14 * DAY, nc)
    s1_status = np.where(trial_churn & ~in_trial, 3, s1_status)
    s1_cancel = np.where(trial_churn & ~in_trial & (tc_at < END_S), tc_at, s1_cancel)
    s1_status = np.where(trial_churn & (tc_at >= END_S) & ~in_trial, 1, s1_status)
    sub_cust = np.concatenate([np.arange(nc), ri])
    sub_start = np.concatenate([s1_start, subs2["start"]])
    sub_order = np.argsort(sub_start, kind="stable")
    sub_number = np.empty(len(sub_order), dtype=np.int64)
    sub_number[sub_order] = np.arange(len(sub_order))
    b.sub_cust = sub_cust[sub_order]
    b.sub_start = sub_start[sub_order]
    b.sub_plan = np.concatenate([subs1["tier0"], subs2["tier0"]])[sub_order]
    b.sub_annual = np.concatenate([annual, np.zeros(len(ri), bool)])[sub_order]
    b.sub_status = np.concatenate([s1_status, subs2["status"]])[sub_order]
    b.sub_canceled = np.concatenate([s1_cancel, subs2["canceled"]])[sub_order]
    b.sub_currency = currency[b.sub_cust]

    # --- invoices: subscription periods, trials, setup fees, void + reissue, drafts, XYZ
    inv_parts = []
    for part, sub_offset in ((subs1["inv"], 0), (subs2["inv"], nc)):
        inv_parts.append(
            {
                "cust": part["cust"],
                "sub": sub_number[part["sub"] + sub_offset],
                "issued": part["issued"],
                "p_start": part["p_start"],
                "p_end": part["p_end"],
                "amount": part["amount"],
                "status": part["status"],
                "paid": part["paid"],
            }
        )
    ti = np.flatnonzero(trial)
    inv_parts.append(
        {
            "cust": ti,
            "sub": sub_number[ti],
            "issued": created[ti],
            "p_start": created[ti] // DAY,
            "p_end": created[ti] // DAY + 14,
            "amount": np.zeros(len(ti), np.int64),
            "status": np.full(len(ti), 2),
            "paid": created[ti] + 3,
        }
    )
    setup = np.flatnonzero((rng.random(nc) < 0.06) & ~self_serve)
    s_issued = created[setup] + rng.integers(HOUR, 2 * DAY, len(setup))
    setup = setup[s_issued < END_S]
    s_issued = s_issued[s_issued < END_S]
    setup_fee = np.array([24_900, 22_900, 19_900, 12_000_000])
    inv_parts.append(
        {
            "cust": setup,
            "sub": np.full(len(setup), -1),
            "issued": s_issued,
            "p_start": np.full(len(setup), -1),
            "p_end": np.full(len(setup), -1),
            "amount": setup_fee[currency[setup]],
            "status": np.full(len(setup), 2),
            "paid": s_issued + rng.integers(60, 3 * DAY, len(setup)),
        }
    )
    inv = {k: np.concatenate([p[k] for p in inv_parts]) for k in inv_parts[0]}
    inv["paid"] = np.where(inv["paid"] < END_S, inv["paid"], -1)
    inv["status"] = np.where((inv["status"] == 2) & (inv["paid"] < 0), 1, inv["status"])
    # void + reissue: the first invoice was wrong (seats), voided, the right one sent later
    cand = np.flatnonzero(
        (inv["sub"] >= 0) & (inv["amount"] > 0) & (inv["issued"] < END_S - 4 * DAY)
    )
    voided = cand[rng.random(len(cand)) < 0.01]
    shift = rng.integers(2 * HOUR, 3 * DAY, len(voided))
    void = {k: v[voided].copy() for k, v in inv.items()}
    void["amount"] = (void["amount"] * rng.uniform(1.1, 1.5, len(voided))).astype(np.int64)
    void["status"] = np.full(len(voided), 3)
    void["paid"] = np.full(len(voided), -1)
    inv["issued"][voided] += shift
    inv["paid"][voided] = np.where(inv["paid"][voided] >= 0, inv["paid"][voided] + shift, -1)
    late = inv["paid"] >= END_S
    inv["paid"][late] = -1
    inv["status"][late] = 1
    # drafts: next month's invoice of a few active monthly subscriptions, prepared on the last day
    draft = {k: np.zeros(0, np.int64) for k in inv}
    nxt = subs1["next_start"]
    dcand = np.flatnonzero((nxt >= END_D + 1) & (nxt <= END_D + 4) & (subs1["status"] == 1))
    dsel = dcand[rng.random(len(dcand)) < 0.15]
    if len(dsel):
        draft = {
            "cust": dsel,
            "sub": sub_number[dsel],
            "issued": END_S - rng.integers(HOUR, 20 * HOUR, len(dsel)),
            "p_start": nxt[dsel],
            "p_end": _add_months(nxt[dsel], np.ones(len(dsel), np.int64)),
            "amount": subs1["last_amount"][dsel],
            "status": np.zeros(len(dsel), np.int64),
            "paid": np.full(len(dsel), -1),
        }
    # dirty: one-time invoices in an unknown currency
    n_xyz = max(1, round(0.00015 * len(inv["cust"])))
    xc = np.sort(rng.choice(nc, n_xyz, replace=False))
    x_issued = np.minimum(created[xc] + rng.integers(DAY, 20 * DAY, n_xyz), END_S - HOUR)
    xyz = {
        "cust": xc,
        "sub": np.full(n_xyz, -1),
        "issued": x_issued,
        "p_start": np.full(n_xyz, -1),
        "p_end": np.full(n_xyz, -1),
        "amount": np.full(n_xyz, 10_000),
        "status": np.full(n_xyz, 2),
        "paid": x_issued + 120,
    }
    cur = np.concatenate(
        [
            currency[inv["cust"]],
            currency[void["cust"]],
            currency[draft["cust"]],
            np.full(n_xyz, len(CURRENCIES)),
        ]
    )
    inv = {k: np.concatenate([inv[k], void[k], draft[k], xyz[k]]) for k in inv}
    inv["currency"] = cur
    inv["tax"] = np.round(
        inv["amount"] * np.where(cur < len(CURRENCIES), COUNTRY_TAX[country[inv["cust"]]], 0)
    ).astype(np.int64)
    io = np.argsort(inv["issued"], kind="stable")
    b.inv = {k: v[io] for k, v in inv.items()}
    b.inv["n_xyz"] = np.array([n_xyz])

    # --- refunds: ~2% of paid invoices, partial or full, in the invoice's currency
    paid_idx = np.flatnonzero(
        (b.inv["status"] == 2) & (b.inv["amount"] > 0) & (b.inv["currency"] < len(CURRENCIES))
    )
    r = paid_idx[rng.random(len(paid_idx)) < 0.02]
    r_at = b.inv["paid"][r] + rng.integers(HOUR, 20 * DAY, len(r))
    r, r_at = r[r_at < END_S], r_at[r_at < END_S]
    full = rng.random(len(r)) < 0.45
    r_amount = np.where(
        full,
        b.inv["amount"][r],
        (b.inv["amount"][r] * rng.uniform(0.2, 0.8, len(r))).astype(np.int64),
    )
    ro = np.argsort(r_at, kind="stable")
    b.ref = {
        "invoice": r[ro],
        "at": r_at[ro],
        "amount": r_amount[ro],
        "currency": b.inv["currency"][r[ro]],
    }

    # --- onboarding and support activities of customers
    a_cust, a_type, a_time, a_owner, a_out, a_dur = [], [], [], [], [], []
    pick = rng.random((nc, 3)) < np.array([0.75, 0.45, 0.40])
    pick[:, 0] |= ~pick.any(axis=1)
    pick &= onboarded[:, None]
    offsets_s = (
        rng.integers(10 * 60, DAY, nc),
        rng.integers(DAY, 14 * DAY, nc),
        rng.integers(HOUR, 10 * DAY, nc),
    )
    kinds = ("welcome_email", "onboarding_call", "chatbot_onboarding")
    for j, kind in enumerate(kinds):
        ci = np.flatnonzero(pick[:, j])
        a_cust.append(ci)
        a_type.append(np.full(len(ci), ACTIVITY_TYPES.index(kind)))
        a_time.append(created[ci] + offsets_s[j][ci])
        if kind == "onboarding_call":
            a_owner.append(np.array(ACCOUNT_MANAGERS)[rng.integers(0, 2, len(ci))])
            a_dur.append(rng.integers(1_200, 3_600, len(ci)))
            a_out.append(np.full(len(ci), OUTCOMES.index("completed")))
        else:
            a_owner.append(np.full(len(ci), -1))
            a_dur.append(np.full(len(ci), -1))
            a_out.append(
                np.full(len(ci), OUTCOMES.index("completed"))
                if kind == "chatbot_onboarding"
                else np.where(
                    rng.random(len(ci)) < 0.6, OUTCOMES.index("opened"), OUTCOMES.index("sent")
                )
            )
    tickets = rng.poisson(0.35, nc)
    t_cust, _ = _group_positions(tickets)
    a_cust.append(t_cust)
    a_type.append(np.full(len(t_cust), ACTIVITY_TYPES.index("support_ticket")))
    a_time.append(created[t_cust] + rng.integers(DAY, 200 * DAY, len(t_cust)))
    a_owner.append(np.array(ACCOUNT_MANAGERS)[rng.integers(0, 2, len(t_cust))])
    a_dur.append(np.full(len(t_cust), -1))
    a_out.append(
        np.where(rng.random(len(t_cust)) < 0.9, OUTCOMES.index("resolved"), OUTCOMES.index("open"))
    )
    act = {
        "cust": np.concatenate(a_cust),
        "type": np.concatenate(a_type),
        "time": np.concatenate(a_time),
        "owner": np.concatenate(a_owner),
        "outcome": np.concatenate(a_out),
        "duration": np.concatenate(a_dur),
    }
    keep = act["time"] < END_S
    b.act = {k: v[keep] for k, v in act.items()}
    return b


def _simulate_subs(
    rng: np.random.Generator,
    *,
    cust: np.ndarray,
    start: np.ndarray,
    tier: np.ndarray,
    seats: np.ndarray,
    annual: np.ndarray,
    currency: np.ndarray,
    hazard: np.ndarray,
    by_transfer: np.ndarray,
    skip_paid: np.ndarray,
) -> dict:
    """Billing periods of a batch of subscriptions, vectorised over (subscription, period).

    Monthly plans renew every month, annual ones every 12 months, anchored on the start
    day (so each period starts where the last ended). Churn is decided at each renewal
    with the monthly hazard (higher in the first three months) times `hazard`; seats and
    tier move at renewals (expansion and contraction). Returns the invoices and, per
    subscription, status, canceled_at, the day of the renewal that did not happen
    (churned_after, -1), the next renewal day and the last amount."""
    s = len(cust)
    k_max = K_MONTHLY
    step = np.where(annual, 12, 1)
    ks = np.arange(k_max)
    start_day = start // DAY
    tod = start % DAY
    p_start = _add_months(np.repeat(start_day, k_max), (ks[None, :] * step[:, None]).ravel())
    p_start = p_start.reshape(s, k_max)
    p_end = _add_months(np.repeat(start_day, k_max), ((ks[None, :] + 1) * step[:, None]).ravel())
    p_end = p_end.reshape(s, k_max)
    h = np.where(ks[None, :] < 3, CHURN_EARLY, CHURN_LATE) * hazard[:, None]
    h = np.where(annual[:, None], ANNUAL_CHURN * hazard[:, None], h)
    churn_here = rng.random((s, k_max)) < h
    n_paid = np.where(churn_here.any(axis=1), churn_here.argmax(axis=1) + 1, k_max)
    n_paid = np.where(skip_paid, 0, n_paid)
    issued = p_start * DAY + tod[:, None]
    issued[:, 0] = start
    exists = (ks[None, :] < n_paid[:, None]) & (issued < END_S)
    # seats and tier at each renewal
    u = rng.random((s, k_max))
    delta = np.where(
        u < 0.035,
        rng.integers(1, 4, (s, k_max)),
        np.where(u < 0.055, -rng.integers(1, 3, (s, k_max)), 0),
    )
    delta[:, 0] = 0
    seat_k = np.maximum(1, seats[:, None] + np.cumsum(delta, axis=1))
    up = rng.random((s, k_max)) < 0.012
    up[:, 0] = False
    tier_k = np.minimum(2, tier[:, None] + np.cumsum(up, axis=1))
    price = SEAT_PRICE[tier_k, currency[:, None]] * seat_k * np.where(annual, 10, 1)[:, None]
    # payment: card within minutes, bank transfer within days (may cross the month)
    delay = np.where(
        by_transfer[:, None],
        rng.integers(DAY, 25 * DAY, (s, k_max)),
        rng.integers(20, 900, (s, k_max)),
    )
    paid = issued + delay
    status = np.full((s, k_max), 2)
    # the last invoice of a churned subscription is sometimes never paid
    n_exist = exists.sum(axis=1)
    churned_obs = (n_paid < k_max) & (n_exist == n_paid) & (n_paid > 0)
    uncollect = churned_obs & (rng.random(s) < 0.12)
    last_k = np.maximum(n_exist - 1, 0)
    rows = np.arange(s)
    status[rows[uncollect], last_k[uncollect]] = 4
    paid = np.where(status == 4, -1, paid)
    status = np.where((status == 2) & (paid >= END_S), 1, status)
    paid = np.where(paid >= END_S, -1, paid)

    # subscription outcome
    last_start = p_start[rows, last_k]
    last_end = p_end[rows, last_k]
    next_renewal = np.where(n_exist > 0, last_end, start_day)
    cancel_at = last_start * DAY + (
        (last_end - last_start) * DAY * rng.uniform(0.2, 0.95, s)
    ).astype(np.int64)
    cancel_at = np.where(
        uncollect, issued[rows, last_k] + rng.integers(21 * DAY, 30 * DAY, s), cancel_at
    )
    sub_status = np.ones(s, dtype=np.int64)  # active
    canceled = np.full(s, -1, dtype=np.int64)
    is_cancel = churned_obs & (cancel_at < END_S)
    sub_status[is_cancel] = 3
    canceled[is_cancel] = cancel_at[is_cancel]
    last_open = (
        (n_exist > 0) & (status[rows, last_k] == 1) & (issued[rows, last_k] < END_S - 7 * DAY)
    )
    sub_status[~is_cancel & last_open] = 2
    sub_status[~is_cancel & uncollect] = 2
    churned_after = np.where(churned_obs, next_renewal, -1)

    si, ki = np.nonzero(exists)
    return {
        "start": start,
        "tier0": tier * 2 + annual.astype(np.int64),  # plan code: tier, monthly / annual
        "status": sub_status,
        "canceled": canceled,
        "churned_after": churned_after,
        "next_start": np.where(n_paid > n_exist, next_renewal, -1),
        "last_amount": price[rows, last_k],
        "inv": {
            "cust": cust[si],
            "sub": si,
            "issued": issued[si, ki],
            "p_start": p_start[si, ki],
            "p_end": p_end[si, ki],
            "amount": price[si, ki],
            "status": status[si, ki],
            "paid": paid[si, ki],
        },
    }


PLANS = ("starter", "starter_annual", "team", "team_annual", "business", "business_annual")

# ----------------------------------------------------------------------------- activities

ACTIVITY_TYPES = ("call", "email", "meeting", "welcome_email", "onboarding_call",
                  "chatbot_onboarding", "support_ticket", "fax")  # fmt: skip
OUTCOMES = ("connected", "no_answer", "busy", "voicemail", "sent", "opened", "replied",
            "completed", "no_show", "resolved", "open")  # fmt: skip


# ----------------------------------------------------------------------------- sessions


@dataclass
class _Sessions:
    """Sessions as numbers: time, visitor, channel, campaign and traffic codes."""

    time: np.ndarray
    visitor: np.ndarray
    channel: np.ndarray
    campaign: np.ndarray  # global campaign index, -1
    codes: dict[str, np.ndarray]
    dirty: np.ndarray  # bool: started_at is written unparseable

    def take(self, idx: np.ndarray) -> _Sessions:
        return _Sessions(
            self.time[idx],
            self.visitor[idx],
            self.channel[idx],
            self.campaign[idx],
            {k: v[idx] for k, v in self.codes.items()},
            self.dirty[idx],
        )

    @staticmethod
    def concat(parts: Sequence[_Sessions]) -> _Sessions:
        return _Sessions(
            np.concatenate([p.time for p in parts]),
            np.concatenate([p.visitor for p in parts]),
            np.concatenate([p.channel for p in parts]),
            np.concatenate([p.campaign for p in parts]),
            {k: np.concatenate([p.codes[k] for p in parts]) for k in parts[0].codes},
            np.concatenate([p.dirty for p in parts]),
        )


TRAFFIC_COLUMNS = ("landing_page", "referrer_domain", "utm_source", "utm_medium", "utm_campaign",
                   "utm_content", "utm_term", "click_id_type")  # fmt: skip


class _Traffic:
    """Draws a session's traffic fields (UTMs, referrer, click id type) from its channel."""

    def __init__(self, campaigns: list[_Campaign]) -> None:
        self.pool = _Pool()
        self.campaigns = campaigns
        self.camp_codes = self.pool.codes([c.campaign_id for c in campaigns])
        self.camp_platform = np.array([c.platform for c in campaigns])
        # per platform and day, the cumulative traffic share of its campaigns
        self.platform_camps: list[np.ndarray] = []
        self.platform_cum: list[np.ndarray] = []
        days = np.arange(START_D, END_D + 1)[:, None]
        for p in range(len(PLATFORMS)):
            idx = np.flatnonzero(self.camp_platform == p)
            start = np.array([campaigns[i].start_d for i in idx])[None, :]
            end = np.array([campaigns[i].end_d for i in idx])[None, :]
            weight = np.array([campaigns[i].weight for i in idx])[None, :]
            w = ((days >= start) & (days <= end)) * weight
            cum = np.cumsum(w, axis=1)
            self.platform_camps.append(idx)
            self.platform_cum.append(cum / cum[:, -1:])

    def pick_campaign(self, rng: np.random.Generator, platform: int, t: np.ndarray) -> np.ndarray:
        """A campaign of the platform active on each instant's day, by traffic weight."""
        day = np.clip(t // DAY - START_D, 0, N_DAYS - 1)
        cum = self.platform_cum[platform][day]
        j = (rng.random(len(t))[:, None] >= cum).sum(axis=1)
        idx = self.platform_camps[platform]
        return idx[np.minimum(j, len(idx) - 1)]

    def draw(
        self, rng: np.random.Generator, channel: np.ndarray, t: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Campaign index and traffic codes for sessions of the given channels and times."""
        n = len(channel)
        camp = np.full(n, -1, dtype=np.int64)
        codes = {c: np.zeros(n, dtype=np.int32) for c in TRAFFIC_COLUMNS}
        for ch in range(len(CHANNELS)):
            idx = np.flatnonzero(channel == ch)
            if len(idx) == 0:
                continue
            src = SOURCES[ch]
            m = len(idx)
            pair = _choice(rng, m, [p[2] for p in src.pairs])
            codes["utm_source"][idx] = self.pool.codes([p[0] for p in src.pairs])[pair]
            codes["utm_medium"][idx] = self.pool.codes([p[1] for p in src.pairs])[pair]
            ref = _choice(rng, m, [r[1] for r in src.referrers])
            codes["referrer_domain"][idx] = self.pool.codes([r[0] for r in src.referrers])[ref]
            land = _choice(rng, m, [x[1] for x in src.landing])
            codes["landing_page"][idx] = self.pool.codes([x[0] for x in src.landing])[land]
            for col, values, p in (
                ("utm_content", src.content, src.content_p),
                ("utm_term", src.term, src.term_p),
                ("utm_campaign", src.campaigns, src.campaign_p),
            ):
                if values:
                    has = rng.random(m) < p
                    pick = self.pool.codes(values)[rng.integers(0, len(values), m)]
                    codes[col][idx] = np.where(has, pick, 0)
            if ch in PAID_CHANNELS:
                platform = PAID_CHANNELS.index(ch)
                camp[idx] = self.pick_campaign(rng, platform, t[idx])
                codes["utm_campaign"][idx] = self.camp_codes[camp[idx]]
                has_click = rng.random(m) < src.click_p
                auto = rng.random(m) < src.auto_tag_p
                has_click |= auto
                ctype = self.pool.code(PLATFORMS[platform].click_type)
                codes["click_id_type"][idx] = np.where(has_click, ctype, 0)
                for col in ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"):
                    codes[col][idx] = np.where(auto, 0, codes[col][idx])
        return camp, codes


def _journeys(seed: int, leads: _Leads, traffic: _Traffic) -> tuple[_Sessions, np.ndarray]:
    """Sessions of the visitors who became leads: 1-6 visits over up to ~40 days, the last
    one minutes before the form and of the lead's channel. Returns the sessions and, per
    lead, the index of its last session (-1)."""
    rng = _rng(seed, 4)
    lead_idx = np.flatnonzero((leads.visitor >= 0) & (leads.kind != 3))
    spam = leads.kind[lead_idx] == 1
    k = np.where(spam, 1, 1 + np.minimum(rng.poisson(1.5, len(lead_idx)), 5))
    owner, pos = _group_positions(k)
    lead = lead_idx[owner]
    is_last = pos == k[owner] - 1
    span = rng.uniform(1.0, 40.0, len(lead_idx))[owner] * DAY
    back = np.where(
        is_last, rng.integers(30, 1_500, len(lead)), (rng.uniform(0.05, 1.0, len(lead)) * span)
    ).astype(np.int64)
    t = leads.created[lead] - np.maximum(back, 30)
    channel = np.where(
        is_last | (rng.random(len(lead)) < 0.55),
        leads.channel[lead],
        _choice(rng, len(lead), JOURNEY_MIX),
    )
    keep = t >= START_S
    lead, t, channel, is_last = lead[keep], t[keep], channel[keep], is_last[keep]
    camp, codes = traffic.draw(rng, channel, t)
    s = _Sessions(t, leads.visitor[lead], channel, camp, codes, np.zeros(len(t), bool))
    last_of = np.full(leads.n, -1)
    last_of[lead[is_last]] = np.flatnonzero(is_last)
    return s, last_of


def _nonconverting(
    rng: np.random.Generator,
    month: int,
    leads_in_month: int,
    traffic: _Traffic,
    first_visitor: int,
) -> _Sessions:
    """Sessions of visitors who never leave a lead in this month (1-4 visits each)."""
    per_visitor = 1.45
    lam = leads_in_month * LEAD_MIX * NONCONV_SESSIONS_PER_LEAD / per_visitor
    nv = rng.poisson(lam)
    v_channel = np.repeat(np.arange(len(CHANNELS)), nv)
    v_count = 1 + np.minimum(rng.poisson(per_visitor - 1, len(v_channel)), 3)
    visitor, pos = _group_positions(v_count)
    lo, hi = MONTH_STARTS[month] * DAY, MONTH_STARTS[month + 1] * DAY
    t = rng.integers(lo, hi, len(visitor))
    o = np.lexsort((t, visitor))
    t = t[o]  # times ascending within each visitor (visitor stays sorted)
    channel = np.where(
        pos == 0,
        v_channel[visitor],
        np.where(
            rng.random(len(visitor)) < 0.5,
            v_channel[visitor],
            np.where(rng.random(len(visitor)) < 0.7, DIRECT, ORG_SEARCH),
        ),
    )
    camp, codes = traffic.draw(rng, channel, t)
    dirty = rng.random(len(t)) < 0.003
    return _Sessions(t, first_visitor + visitor, channel, camp, codes, dirty)


def _click_ids(rng: np.random.Generator, kind: str, n: int) -> pa.Array:
    """Ad click ids that look like the real ones (gclid, fbclid, yclid)."""
    if kind == "gclid":
        return pc.binary_join_element_wise("Cj0KCQjw", _random_token(rng, n, 28, URLSAFE), "")
    if kind == "fbclid":
        return pc.binary_join_element_wise("IwAR", _random_token(rng, n, 40, URLSAFE), "")
    return _int(rng.integers(10**15, 10**17, n))


DIRTY_TIMES = ("2025-13-45T99:00:00Z", "yesterday", "31/12/2025 10:00", "n/a")


def _visitor_ids(numbers: np.ndarray) -> pa.Array:
    """'vz-<10 digits>' from visitor numbers (a bijection, so unique)."""
    scrambled = (np.asarray(numbers, dtype=np.int64) * 104_729 + 7_654_321) % 10_000_000_000
    return pc.binary_join_element_wise("vz-", pc.utf8_lpad(_int(scrambled), 10, "0"), "")


def _write_sessions(
    seed: int,
    out: Path,
    leads: _Leads,
    journeys: _Sessions,
    traffic: _Traffic,
    n_campaigns: int,
    progress: Callable[[str], None],
) -> tuple[int, np.ndarray, int]:
    """sessions.csv, month by month. Returns rows, paid sessions per (campaign, day), and
    the number of dirty rows."""
    w = _CsvWriter(out / "web/sessions.csv", COLUMNS["web/sessions.csv"])
    paid = np.zeros(n_campaigns * N_DAYS, dtype=np.int64)
    leads_per_month = np.bincount(_month_of(leads.created), minlength=N_MONTHS)[:N_MONTHS]
    next_visitor = int(leads.visitor.max(initial=-1)) + 1
    j_month = _month_of(journeys.time)
    next_id = 1
    n_dirty = 0
    for m in range(N_MONTHS):
        t0 = time.perf_counter()
        rng = _rng(seed, 5, m)
        nonconv = _nonconverting(rng, m, int(leads_per_month[m]), traffic, next_visitor)
        if len(nonconv.visitor):
            next_visitor = int(nonconv.visitor.max()) + 1
        s = _Sessions.concat([journeys.take(np.flatnonzero(j_month == m)), nonconv])
        s = s.take(np.argsort(s.time, kind="stable"))
        s = s.take(np.flatnonzero(s.time < END_S))
        n = len(s.time)
        pm = s.campaign >= 0
        paid += np.bincount(
            s.campaign[pm] * N_DAYS + (s.time[pm] // DAY - START_D), minlength=len(paid)
        )
        shape = _choice(rng, n, [0.88, 0.03, 0.02, 0.05, 0.02])
        started = _ts_variants(s.time, shape, rng.integers(0, 1_000_000, n))
        dirty = np.flatnonzero(s.dirty)
        n_dirty += len(dirty)
        junk = pa.array(DIRTY_TIMES).take(pa.array(rng.integers(0, len(DIRTY_TIMES), len(dirty))))
        started = _scatter(started, dirty, junk)
        ctype = s.codes["click_id_type"]
        click = pa.nulls(n, pa.string())
        for name in ("gclid", "fbclid", "yclid"):
            sel = ctype == traffic.pool.code(name)
            if sel.any():
                click = pc.replace_with_mask(click, pa.array(sel), _click_ids(rng, name, sel.sum()))
        data = {c: traffic.pool.take(s.codes[c]) for c in TRAFFIC_COLUMNS}
        data.update(
            session_id=_ids("ss-", np.arange(next_id, next_id + n), 9),
            visitor_id=_visitor_ids(s.visitor),
            started_at=started,
            click_id=click,
        )
        next_id += n
        w.write(data)
        progress(f"  sessions {m + 1:2d}/{N_MONTHS}: {n:,} rows ({time.perf_counter() - t0:.1f}s)")
    return w.close(), paid.reshape(n_campaigns, N_DAYS), n_dirty


# ----------------------------------------------------------------------------- ads


def _write_ads(
    seed: int, out: Path, campaigns: list[_Campaign], paid: np.ndarray
) -> dict[str, tuple[int, int]]:
    """The three ad files: a row per active campaign and day, clicks >= the paid sessions
    seen that day, spend = clicks x CPC (noisy), restated copies appended after each
    month's rows, a few rows with negative clicks."""
    rng = _rng(seed, 6)
    out_counts: dict[str, tuple[int, int]] = {}
    files = ("ads/google_ads__campaign_stats.csv", "ads/meta_ads__ads_insights.csv",
             "ads/yandex_direct__campaign_report.csv")  # fmt: skip
    for p, plat in enumerate(PLATFORMS):
        cidx = [i for i, c in enumerate(campaigns) if c.platform == p]
        rows_c, rows_d = [], []
        for i in cidx:
            c = campaigns[i]
            d = np.arange(c.start_d, c.end_d + 1)
            rows_c.append(np.full(len(d), i))
            rows_d.append(d)
        camp = np.concatenate(rows_c)
        day = np.concatenate(rows_d)
        o = np.lexsort((camp, day))
        camp, day = camp[o], day[o]
        n = len(camp)
        sess = paid[camp, day - START_D]
        clicks = sess + rng.poisson(0.12 * sess + 0.5)
        cpc = np.array([c.cpc for c in campaigns])[camp]
        ctr = np.array([c.ctr for c in campaigns])[camp]
        spend = np.round(clicks * cpc * np.exp(rng.normal(0, 0.15, n)) * 100).astype(np.int64)
        impressions = np.round((clicks + 0.5) / ctr * np.exp(rng.normal(0, 0.2, n))).astype(
            np.int64
        )
        conversions = np.round(clicks * 0.09 * np.exp(rng.normal(0, 0.3, n)) * 100).astype(np.int64)
        # restatements: at each month end the platform re-delivers ~2% of the last 30 days
        month = _month_of(day * DAY)
        blocks = []
        for m in range(N_MONTHS):
            base = np.flatnonzero(month == m)
            end_d = MONTH_STARTS[m + 1] - 1
            recent = np.flatnonzero((day >= end_d - 29) & (day <= end_d))
            again = recent[rng.random(len(recent)) < 0.02]
            blocks.append((base, False))
            blocks.append((again, True))
        idx = np.concatenate([b[0] for b in blocks])
        restated = np.concatenate([np.full(len(b[0]), b[1]) for b in blocks])
        r = len(idx)
        clicks_o = clicks[idx].copy()
        spend_o = spend[idx].copy()
        impr_o = impressions[idx].copy()
        conv_o = conversions[idx].copy()
        clicks_o[restated] = np.maximum(0, clicks_o[restated] + rng.integers(-2, 4, restated.sum()))
        spend_o[restated] = (spend_o[restated] * rng.uniform(0.97, 1.06, restated.sum())).astype(
            np.int64
        )
        impr_o[restated] = (impr_o[restated] * rng.uniform(0.98, 1.03, restated.sum())).astype(
            np.int64
        )
        # dirty: negative clicks on a few rows whose key is never restated
        restated_keys = np.unique(idx[restated])
        clean = np.flatnonzero(~restated & ~np.isin(idx, restated_keys))
        n_bad = max(1, round(0.002 * r))
        bad = np.sort(rng.choice(clean, n_bad, replace=False))
        clicks_o[bad] = -np.maximum(clicks_o[bad], 1)
        # a few ids delivered with a stray space or tab (trimmed by the loader)
        rest = np.setdiff1d(clean, bad)
        spaced = np.sort(rng.choice(rest, max(1, round(0.001 * r)), replace=False))
        cid = pa.array([c.campaign_id for c in campaigns]).take(pa.array(camp[idx]))
        cid = _scatter(
            cid, spaced, pc.binary_join_element_wise(cid.take(pa.array(spaced)), "\t", "")
        )
        name = pa.array([c.name for c in campaigns]).take(pa.array(camp[idx]))
        date = _date(day[idx])
        cur = pa.array([plat.currency] * r)
        if p == 0:
            data = {
                "date": date,
                "customer_id": pa.array([plat.account_id] * r),
                "campaign_id": cid,
                "campaign_name": name,
                "cost_micros": _int(spend_o * 10_000),
                "impressions": _int(impr_o),
                "clicks": _int(clicks_o),
                "conversions": _money(conv_o),
                "currency_code": cur,
            }
        elif p == 1:
            data = {
                "date_start": date,
                "account_id": pa.array([plat.account_id] * r),
                "account_currency": cur,
                "campaign_id": cid,
                "campaign_name": name,
                "spend": _money(spend_o),
                "impressions": _int(impr_o),
                "clicks": _int(clicks_o),
            }
        else:
            gross = np.round(spend_o * 1.2).astype(np.int64)  # VAT 20% included in Cost
            data = {
                "Date": date,
                "CampaignId": cid,
                "CampaignName": name,
                "Cost": _money(gross),
                "Impressions": _int(impr_o),
                "Clicks": _int(clicks_o),
                "Currency": cur,
            }
        w = _CsvWriter(out / files[p], COLUMNS[files[p]])
        w.write(data)
        out_counts[files[p]] = (w.close(), n_bad)
    return out_counts


# ----------------------------------------------------------------------------- CRM files


def _lead_utms(
    seed: int, leads: _Leads, journeys: _Sessions, last_of: np.ndarray, traffic: _Traffic
) -> dict[str, np.ndarray]:
    """UTM codes the form captured: the last session's (85% of leads with one), or the
    channel's UTMs for form-only leads (lead ads, call tracking), else none."""
    rng = _rng(seed, 7)
    n = leads.n
    out = {c: np.zeros(n, dtype=np.int32) for c in ("utm_source", "utm_medium", "utm_campaign")}
    has = (last_of >= 0) & (rng.random(n) < 0.85)
    li = np.flatnonzero(has)
    for c in out:
        out[c][li] = journeys.codes[c][last_of[li]]
    fi = np.flatnonzero(leads.form_utm)
    _, codes = traffic.draw(rng, leads.channel[fi], leads.created[fi])
    for c in out:
        out[c][fi] = codes[c]
    return out


def _write_crm(
    out: Path,
    seed: int,
    leads: _Leads,
    funnel: _Funnel,
    billing: _Billing,
    utm: dict[str, np.ndarray],
    traffic: _Traffic,
) -> dict[str, int]:
    """leads, deals, deal_stage_history, activities and users."""
    rng = _rng(seed, 8)
    n = leads.n
    counts: dict[str, int] = {}
    lead_ids = _ids("LD-", np.arange(1, n + 1), 7)
    reps = pa.array([u[0] for u in USERS])
    status = pa.array(LEAD_STATUSES).take(pa.array(funnel.lead_status))
    # a few statuses typed with a capital (closed lists match after lower-casing)
    caps = np.flatnonzero(rng.random(n) < 0.002)
    status = _scatter(status, caps, pc.utf8_capitalize(status.take(pa.array(caps))))
    data = {
        "lead_id": lead_ids,
        "created_at": _ts_variants(leads.created, leads.time_shape, np.zeros(n, np.int64)),
        "visitor_id": _with_nulls(_visitor_ids(np.maximum(leads.visitor, 0)), leads.visitor >= 0),
        "email": leads.email,
        "phone": leads.phone,
        "full_name": leads.full_name,
        "form": pa.array(FORMS).take(pa.array(leads.form)),
        **{c: traffic.pool.take(v) for c, v in utm.items()},
        "status": status,
        "owner_id": _with_nulls(reps.take(pa.array(np.maximum(leads.owner, 0))), leads.owner >= 0),
        "disqualified_reason": _with_nulls(
            pa.array(DQ_ALL).take(pa.array(np.maximum(funnel.lead_dq_reason, 0))),
            funnel.lead_dq_reason >= 0,
        ),
    }
    counts["crm/leads.csv"] = _write(out, "crm/leads.csv", data)

    nd = len(funnel.deal_lead)
    deal_ids = _ids("DL-", np.arange(1, nd + 1), 7)
    cur = COUNTRY_CURRENCY[funnel.deal_country]
    amount = (
        SEAT_PRICE[funnel.deal_tier, cur] * funnel.deal_seats * np.where(funnel.deal_annual, 10, 12)
    )
    closed = funnel.deal_closed >= 0
    data = {
        "deal_id": deal_ids,
        "lead_id": _with_nulls(
            lead_ids.take(pa.array(np.maximum(funnel.deal_lead, 0))), funnel.deal_lead >= 0
        ),
        "created_at": _ts_variants(
            funnel.deal_created, funnel.deal_time_shape, np.zeros(nd, np.int64)
        ),
        "owner_id": reps.take(pa.array(funnel.deal_owner)),
        "pipeline": pa.array(PIPELINES).take(pa.array(funnel.deal_pipeline)),
        "stage": pa.array(STAGES).take(pa.array(funnel.deal_stage)),
        "amount": _money(amount),
        "currency": pa.array(CURRENCIES).take(pa.array(cur)),
        "closed_at": _ts(np.maximum(funnel.deal_closed, 0), closed),
        "is_won": _with_nulls(
            pa.array(["false", "true"]).take(pa.array(np.maximum(funnel.deal_won, 0))), closed
        ),
        "lost_reason": _with_nulls(
            pa.array(LOST_REASONS).take(pa.array(np.maximum(funnel.deal_lost_reason, 0))),
            funnel.deal_lost_reason >= 0,
        ),
    }
    counts["crm/deals.csv"] = _write(out, "crm/deals.csv", data)
    counts["crm/deal_stage_history.csv"] = _write(
        out,
        "crm/deal_stage_history.csv",
        {
            "deal_id": deal_ids.take(pa.array(funnel.hist_deal)),
            "stage": pa.array(STAGES).take(pa.array(funnel.hist_stage)),
            "entered_at": _ts(funnel.hist_time),
        },
    )

    # activities: calls and e-mails on leads, meetings and e-mails on deals, post-sale
    nc = len(billing.cust_created)
    cust_ids = _ids("cst_", np.arange(1, nc + 1), 7)
    n_call, n_le, n_meet = len(funnel.call_lead), len(funnel.lead_email_lead), len(funnel.meet_deal)
    n_post = len(billing.act["cust"])
    lead_col = np.concatenate(
        [funnel.call_lead, funnel.lead_email_lead, np.full(n_meet + n_post, -1)]
    )
    deal_col = np.concatenate([np.full(n_call + n_le, -1), funnel.meet_deal, np.full(n_post, -1)])
    cust_col = np.concatenate([np.full(n_call + n_le + n_meet, -1), billing.act["cust"]])
    owner = np.concatenate(
        [
            leads.owner[funnel.call_lead],
            leads.owner[funnel.lead_email_lead],
            funnel.deal_owner[funnel.meet_deal],
            billing.act["owner"],
        ]
    )
    meet_type = np.where(funnel.meet_kind == 0, 2, 1)
    a_type = np.concatenate(
        [
            np.zeros(n_call, np.int64),
            np.ones(n_le, np.int64),
            meet_type,
            billing.act["type"],
        ]
    )
    a_time = np.concatenate(
        [funnel.call_time, funnel.lead_email_time, funnel.meet_time, billing.act["time"]]
    )
    meet_out = np.where(
        funnel.meet_kind == 0,
        np.where(rng.random(n_meet) < 0.88, OUTCOMES.index("completed"), OUTCOMES.index("no_show")),
        np.where(rng.random(n_meet) < 0.3, OUTCOMES.index("replied"), OUTCOMES.index("sent")),
    )
    outcome = np.concatenate(
        [
            funnel.call_outcome,
            np.full(n_le, OUTCOMES.index("sent")),
            meet_out,
            billing.act["outcome"],
        ]
    )
    meet_dur = np.where(funnel.meet_kind == 0, rng.integers(1_500, 3_600, n_meet), -1)
    duration = np.concatenate(
        [funnel.call_duration, np.full(n_le, -1), meet_dur, billing.act["duration"]]
    )
    # dirty: a couple of activities of a type nobody knows
    n_fax = max(1, round(0.0001 * len(a_time)))
    fax_src = np.sort(rng.choice(n_call, n_fax, replace=False)) if n_call >= n_fax else np.arange(0)
    lead_col, deal_col, cust_col, owner = (
        np.concatenate([a, a[fax_src]]) for a in (lead_col, deal_col, cust_col, owner)
    )
    a_type = np.concatenate([a_type, np.full(len(fax_src), ACTIVITY_TYPES.index("fax"))])
    a_time = np.concatenate([a_time, a_time[fax_src] + 600])
    outcome = np.concatenate([outcome, np.full(len(fax_src), OUTCOMES.index("sent"))])
    duration = np.concatenate([duration, np.full(len(fax_src), -1)])
    a_time = np.minimum(a_time, END_S - 1)
    o = np.argsort(a_time, kind="stable")
    na = len(o)
    counts["crm/activities.csv"] = _write(
        out,
        "crm/activities.csv",
        {
            "activity_id": _ids("ac-", np.arange(1, na + 1), 8),
            "lead_id": _with_nulls(
                lead_ids.take(pa.array(np.maximum(lead_col[o], 0))), lead_col[o] >= 0
            ),
            "deal_id": _with_nulls(
                deal_ids.take(pa.array(np.maximum(deal_col[o], 0))), deal_col[o] >= 0
            ),
            "customer_id": _with_nulls(
                cust_ids.take(pa.array(np.maximum(cust_col[o], 0))), cust_col[o] >= 0
            ),
            "owner_id": _with_nulls(reps.take(pa.array(np.maximum(owner[o], 0))), owner[o] >= 0),
            "type": pa.array(ACTIVITY_TYPES).take(pa.array(a_type[o])),
            "started_at": _ts(a_time[o]),
            "duration_seconds": _int(np.maximum(duration[o], 0), duration[o] >= 0),
            "outcome": pa.array(OUTCOMES).take(pa.array(outcome[o])),
        },
    )
    counts["_fax"] = len(fax_src)
    counts["crm/users.csv"] = _write(
        out,
        "crm/users.csv",
        {col: pa.array([u[i] for u in USERS]) for i, col in enumerate(COLUMNS["crm/users.csv"])},
    )
    return counts


def _write(out: Path, relpath: str, data: dict[str, pa.Array]) -> int:
    w = _CsvWriter(out / relpath, COLUMNS[relpath])
    w.write(data)
    return w.close()


def _write_billing(out: Path, funnel: _Funnel, billing: _Billing) -> dict[str, int]:
    """customers, subscriptions, invoices and refunds."""
    counts: dict[str, int] = {}
    nc = len(billing.cust_created)
    cust_ids = _ids("cst_", np.arange(1, nc + 1), 7)
    deal_ids = _ids("DL-", np.maximum(billing.cust_deal, 0) + 1, 7)
    counts["billing/customers.csv"] = _write(
        out,
        "billing/customers.csv",
        {
            "customer_id": cust_ids,
            "created_at": _ts(billing.cust_created),
            "email": billing.cust_email,
            "crm_deal_id": _with_nulls(deal_ids, billing.cust_deal >= 0),
            "country": pa.array([c.code for c in COUNTRIES]).take(pa.array(billing.cust_country)),
        },
    )
    ns = len(billing.sub_cust)
    sub_ids = _ids("sb-", np.arange(1, ns + 1), 7)
    counts["billing/subscriptions.csv"] = _write(
        out,
        "billing/subscriptions.csv",
        {
            "subscription_id": sub_ids,
            "customer_id": cust_ids.take(pa.array(billing.sub_cust)),
            "plan_id": pa.array(PLANS).take(pa.array(billing.sub_plan)),
            "status": pa.array(SUB_STATUSES).take(pa.array(billing.sub_status)),
            "started_at": _ts(billing.sub_start),
            "canceled_at": _ts(np.maximum(billing.sub_canceled, 0), billing.sub_canceled >= 0),
            "billing_interval": pa.array(["month", "year"]).take(
                pa.array(billing.sub_annual.astype(np.int64))
            ),
            "currency": pa.array(CURRENCIES).take(pa.array(billing.sub_currency)),
        },
    )
    inv = billing.inv
    ni = len(inv["cust"])
    inv_ids = _ids("in-", np.arange(1, ni + 1), 8)
    has_period = inv["p_start"] >= 0
    counts["billing/invoices.csv"] = _write(
        out,
        "billing/invoices.csv",
        {
            "invoice_id": inv_ids,
            "customer_id": cust_ids.take(pa.array(inv["cust"])),
            "subscription_id": _with_nulls(
                sub_ids.take(pa.array(np.maximum(inv["sub"], 0))), inv["sub"] >= 0
            ),
            "issued_at": _ts(inv["issued"]),
            "period_start": _date(np.maximum(inv["p_start"], 0), has_period),
            "period_end": _date(np.maximum(inv["p_end"], 0), has_period),
            "amount": _money(inv["amount"]),
            "tax": _money(inv["tax"]),
            "currency": pa.array([*CURRENCIES, "XYZ"]).take(pa.array(inv["currency"])),
            "status": pa.array(INV_STATUSES).take(pa.array(inv["status"])),
            "paid_at": _ts(np.maximum(inv["paid"], 0), inv["paid"] >= 0),
        },
    )
    ref = billing.ref
    nr = len(ref["invoice"])
    counts["billing/refunds.csv"] = _write(
        out,
        "billing/refunds.csv",
        {
            "refund_id": _ids("rf-", np.arange(1, nr + 1), 6),
            "invoice_id": inv_ids.take(pa.array(ref["invoice"])),
            "refunded_at": _ts(ref["at"]),
            "amount": _money(ref["amount"]),
            "currency": pa.array([*CURRENCIES, "XYZ"]).take(pa.array(ref["currency"])),
        },
    )
    return counts


# ----------------------------------------------------------------------------- finance

HOLIDAYS = ("2025-12-25", "2025-12-26", "2026-01-01", "2026-01-02", "2026-04-03", "2026-04-06",
            "2026-05-01")  # fmt: skip
#: Per currency: start, long-run mean, daily log volatility, clip range, decimals.
FX = (
    ("EUR", 1.165, 1.13, 0.0035, (1.08, 1.18), 4),
    ("GBP", 1.345, 1.31, 0.0030, (1.25, 1.36), 4),
    ("KZT", 0.00196, 0.00205, 0.0040, (0.0019, 0.0022), 7),
)


def _write_finance(out: Path, seed: int, scale: float) -> dict[str, int]:
    """fx_rates (business days from 2025-07-25) and marketing_costs (monthly)."""
    rng = _rng(seed, 9)
    days = np.arange(int(FX_START_DAY.astype(np.int64)), END_D + 1)
    holidays = np.array([np.datetime64(h, "D").astype(np.int64) for h in HOLIDAYS])
    days = days[((days + 3) % 7 < 5) & ~np.isin(days, holidays)]
    f_date, f_cur, f_rate = [], [], []
    for cur, start, mean, vol, (lo, hi), dp in FX:
        x = np.empty(len(days))
        level = np.log(start)
        shocks = rng.normal(0, vol, len(days))
        for i in range(len(days)):  # a loop over ~330 days: the AR(1) walk is sequential
            level = np.log(mean) + 0.99 * (level - np.log(mean)) + shocks[i]
            level = float(np.clip(level, np.log(lo), np.log(hi)))
            x[i] = np.exp(level)
        f_date.append(days)
        f_cur.extend([cur] * len(days))
        f_rate.extend(f"{v:.{dp}f}" for v in x)
    fd = np.concatenate(f_date)
    o = np.lexsort((np.array([CURRENCIES.index(c) for c in f_cur]), fd))
    counts = {
        "finance/fx_rates.csv": _write(
            out,
            "finance/fx_rates.csv",
            {
                "date": _date(fd[o]),
                "currency": pa.array(f_cur).take(pa.array(o)),
                "rate": pa.array(f_rate).take(pa.array(o)),
            },
        )
    }
    # marketing costs: shared salaries and tools, agency fees, content, commissions
    costs: list[tuple[str | None, str, str, float]] = [
        (None, "salaries", "USD", 16_500), (None, "tools", "EUR", 1_350),
        ("google_search", "agency", "USD", 1_800), ("meta_social", "agency", "EUR", 1_200),
        ("yandex_search", "agency", "KZT", 420_000), ("email", "tools", "USD", 380),
        ("email", "content", "GBP", 650), ("organic_social", "content", "USD", 700),
        ("organic_search", "content", "USD", 1_100), ("partners", "other", "USD", 900),
    ]  # fmt: skip
    event_months = {9, 10, 11, 2, 3, 4, 5, 6}
    rows: list[tuple[int, str | None, str, int, str]] = []
    for m in range(N_MONTHS):
        moy = (
            int(MONTH_STARTS[m].astype("datetime64[D]").astype("datetime64[M]").astype(int)) % 12
            + 1
        )
        grow = 1 + 0.02 * m
        month_costs = [*costs]
        if moy in event_months:
            month_costs.append(("events", "content", "EUR", 2_200))
        if moy in (11, 3):
            month_costs.append((None, "other", "GBP", 400))  # PR
        noise = rng.uniform(0.9, 1.1, len(month_costs))
        for (ch, kind, cur, amount), z in zip(month_costs, noise, strict=True):
            g = grow if kind in ("salaries", "agency") else 1.0
            rows.append((m, ch, kind, round(amount * g * z * scale * 100), cur))
    counts["finance/marketing_costs.csv"] = _write(
        out,
        "finance/marketing_costs.csv",
        {
            "month": _date(np.array([MONTH_STARTS[r[0]] for r in rows])),
            "channel": pa.array([r[1] for r in rows], pa.string()),
            "cost_type": pa.array([r[2] for r in rows]),
            "amount": _money(np.array([r[3] for r in rows])),
            "currency": pa.array([r[4] for r in rows]),
        },
    )
    return counts


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
