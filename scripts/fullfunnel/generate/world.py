"""The simulated world's parameters: channels, the sales team, countries, ad campaigns
and traffic sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from fullfunnel.generate.dates import END_D, START_D

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
