"""Step 1, people: leads with their channel, country, contacts, spam, tests and duplicates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fullfunnel.generate.dates import BASE_LEADS, DAY, END_S, HOUR, MONTH_STARTS, N_MONTHS
from fullfunnel.generate.values import _choice, _int, _random_token, _rng, _with_nulls
from fullfunnel.generate.world import (
    COMPANY_WORDS,
    COUNTRIES,
    DIRECT,
    EVENTS,
    KZ,
    LEAD_MIX,
    N_REPS,
    NAMES,
    ORG_SEARCH,
    PERSONAL_DOMAINS,
    REFERRAL,
    VISITOR_SHARE,
    YANDEX,
    YANDEX_COUNTRY_MIX,
    _Pool,
)

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
