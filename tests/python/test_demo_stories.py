"""The two stories the demo data carries, read from the built marts (issue: "bad leads" or
"weak sales"?): the slow rep's performance index is clearly below 1 while the others are near
1; the cheap channel has the lowest qualification rate; onboarded customers churn less."""

from __future__ import annotations

from .conftest import DbtResult


def test_slow_rep_is_blamed_and_the_others_are_not(demo_build: DbtResult) -> None:
    rows = demo_build.query(
        """
        select owner_id, sum(won_leads) / sum(expected_won_leads) as performance_index
        from marts.mart_sales_reps_monthly
        where leads_assigned > 0
        group by owner_id
        """
    )
    index = dict(rows)
    assert index.pop("u03") < 0.8
    assert index, "no other reps"
    for owner_id, value in index.items():
        assert 0.85 <= value <= 1.25, (owner_id, value)


def test_cheap_channel_qualifies_worst(demo_build: DbtResult) -> None:
    rows = demo_build.query(
        """
        select
            channel,
            sum(qualified_leads) / sum(leads) as qualification_rate,
            sum(won_leads) / sum(leads) as cr2,
            sum(ad_spend) / sum(leads) as cpl,
            max(channel_group) as channel_group
        from marts.mart_marketing_monthly
        group by channel
        having sum(leads) >= 100
        """
    )
    by_channel = {r[0]: r for r in rows}
    worst_qualification = min(by_channel.values(), key=lambda r: r[1])[0]
    worst_cr2 = min(by_channel.values(), key=lambda r: r[2])[0]
    paid = [r for r in by_channel.values() if r[4] == "paid"]
    cheapest_paid = min(paid, key=lambda r: r[3])[0]
    assert worst_qualification == worst_cr2 == cheapest_paid == "meta_social"


def test_onboarding_keeps_customers(demo_build: DbtResult) -> None:
    rows = demo_build.query(
        """
        select
            has_onboarding,
            1 - sum(retained_90d) / sum(customers_measurable_90d) as churn_90d
        from marts.mart_onboarding_retention
        group by has_onboarding
        """
    )
    churn = dict(rows)
    assert churn[True] < 0.85 * churn[False], churn
