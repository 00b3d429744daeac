-- Every valid lead's credits sum to 1 under every attribution model, and no credit is
-- negative or above 1 (METRICS.md, "Credit"). Returns the lead x model pairs that break it
-- (tolerance 1e-9 for float rounding). After an incremental run, the lead x model pairs that
-- run wrote (macros/tests/latest_run_rows.sql); after a full build, all of them.
with

valid_leads as (
    select lead_id from {{ ref('fct_leads') }}
    where is_valid
),

attribution as (
    select * from {{ latest_run_rows(ref('fct_attribution'), ['lead_id', 'attribution_model']) }}
),

credit_sums as (
    select
        attribution.lead_id,
        attribution.attribution_model,
        count(*) as touchpoint_rows,
        sum(attribution.credit) as credit_sum,
        min(attribution.credit) as min_credit,
        max(attribution.credit) as max_credit,
        count(attribution.credit) as non_null_credits
    from attribution
    inner join valid_leads
        on attribution.lead_id = valid_leads.lead_id
    group by attribution.lead_id, attribution.attribution_model
),

final as (
    select *
    from credit_sums
    where
        abs(credit_sum - 1) >= 1e-9
        or min_credit < 0
        or max_credit > 1 + 1e-9
        or non_null_credits < touchpoint_rows
)

select * from final
