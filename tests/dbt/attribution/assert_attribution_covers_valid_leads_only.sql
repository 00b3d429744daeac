-- fct_attribution holds every valid lead under all seven attribution models and nothing else
-- (METRICS.md, "Attribution": invalid leads have no touchpoints), with touchpoints numbered
-- 1..n under each model: the smallest number 1, the largest n, and no number twice, which the
-- uniqueness test of (lead_id, attribution_model, touchpoint_number) checks (a distinct count
-- here cost more than the rest of this test). Returns one row per broken lead x model,
-- with the reason.
-- After an incremental run it checks what that run wrote (macros/tests/latest_run_rows.sql):
-- the lead x model pairs it wrote, against every valid lead under markov (every run rewrites
-- them all) and the valid leads of the lead days it wrote under the other models; after a
-- full build, everything.
with

leads as (
    select * from {{ ref('fct_leads') }}
),

attribution as (
    select * from {{ latest_run_rows(ref('fct_attribution'), ['lead_id', 'attribution_model']) }}
),

written_days as (
    select distinct lead_created_day from attribution
    where attribution_model <> 'markov'
),

attribution_models as (
    {%- for attribution_model in attribution_models() %}
        select '{{ attribution_model }}' as attribution_model
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

expected_pairs as (
    select
        leads.lead_id,
        attribution_models.attribution_model
    from leads
    cross join attribution_models
    where
        leads.is_valid
        and (
            attribution_models.attribution_model = 'markov'
            or cast(leads.created_at as date) in (select written_days.lead_created_day from written_days)
        )
),

actual_pairs as (
    select
        lead_id,
        attribution_model,
        count(*) as touchpoint_rows,
        min(touchpoint_number) as min_touchpoint_number,
        max(touchpoint_number) as max_touchpoint_number,
        min(touchpoint_count) as min_touchpoint_count,
        max(touchpoint_count) as max_touchpoint_count
    from attribution
    group by lead_id, attribution_model
),

missing_pairs as (
    select
        expected_pairs.lead_id,
        expected_pairs.attribution_model,
        'valid lead without rows under this model' as failure
    from expected_pairs
    left join actual_pairs
        on
            expected_pairs.lead_id = actual_pairs.lead_id
            and expected_pairs.attribution_model = actual_pairs.attribution_model
    where actual_pairs.lead_id is null
),

unexpected_pairs as (
    select
        actual_pairs.lead_id,
        actual_pairs.attribution_model,
        case
            when leads.lead_id is null then 'lead not in fct_leads'
            when not leads.is_valid then 'invalid lead has attribution rows'
            else 'unknown attribution model, or a lead day other than its created_at''s'
        end as failure
    from actual_pairs
    left join expected_pairs
        on
            actual_pairs.lead_id = expected_pairs.lead_id
            and actual_pairs.attribution_model = expected_pairs.attribution_model
    left join leads
        on actual_pairs.lead_id = leads.lead_id
    where expected_pairs.lead_id is null
),

misnumbered_pairs as (
    select
        lead_id,
        attribution_model,
        'touchpoints not numbered 1..touchpoint_count' as failure
    from actual_pairs
    where
        min_touchpoint_number <> 1
        or max_touchpoint_number <> touchpoint_rows
        or min_touchpoint_count <> touchpoint_rows
        or max_touchpoint_count <> touchpoint_rows
),

final as (
    select * from missing_pairs
    union all
    select * from unexpected_pairs
    union all
    select * from misnumbered_pairs
)

select * from final
