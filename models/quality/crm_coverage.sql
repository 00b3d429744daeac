{#- How far the CRM export supports the sales view (mart_sales_reps_monthly): the share of
    valid leads with an owner, and deals closed before their lead was created. With owners on
    won leads only, every rep shows CR2 = 1 and index 1; a deal closed before its lead is a
    data-entry or merge error. Warn tests on this table, a warning of the quality gate and a
    note on the report say so (thresholds: vars none; 80% of valid leads with an owner). -#}
with

leads as (
    select
        lead_id,
        created_at,
        owner_id
    from {{ ref('fct_leads') }}
    where is_valid
),

deals as (
    select
        lead_id,
        closed_at
    from {{ ref('stg_crm__deals') }}
    where closed_at is not null
),

lead_counts as (
    select
        count(*) as valid_leads,
        count(owner_id) as valid_leads_with_owner
    from leads
),

deal_counts as (
    select count(*) as deals_closed_before_lead
    from deals
    inner join leads
        on deals.lead_id = leads.lead_id
    where deals.closed_at < leads.created_at
),

final as (
    select
        lead_counts.valid_leads,
        lead_counts.valid_leads_with_owner,
        {{ safe_ratio('cast(lead_counts.valid_leads_with_owner as ' ~ type_double() ~ ')', 'lead_counts.valid_leads') }}
            as owner_coverage,
        deal_counts.deals_closed_before_lead
    from lead_counts
    cross join deal_counts
)

select * from final
