{#- Month x channel x attribution model: the leads and new customers each of the seven
    models credits to a channel, with the channel's ad spend and marketing cost (the same
    under every model) and the CPL and CAC they give (METRICS.md: cpl = ad_spend / leads,
    cac = marketing_cost / new_customers, per channel). The rows of var attribution_model
    equal mart_marketing_monthly's; the other models show how the answer moves with the
    model (a channel that opens journeys gains under markov against last touch). -#}
with

marketing as (
    select
        month,
        channel,
        ad_spend,
        marketing_cost
    from {{ ref('mart_marketing_monthly') }}
),

models as (
    {%- for model in attribution_models() %}
        select '{{ model }}' as attribution_model
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

credits as (
    select * from {{ ref('int_touchpoints_credited') }}
),

valid_leads as (
    select
        lead_id,
        lead_month
    from {{ ref('fct_leads') }}
    where is_valid
),

customer_leads as (
    select * from {{ ref('int_customers_stitched') }}
),

customers as (
    select
        customer_id,
        acquisition_month
    from {{ ref('int_customers_summarized') }}
    where acquisition_month is not null
),

lead_credits as (
    select
        valid_leads.lead_month as month,
        credits.attribution_model,
        credits.channel,
        {{ fsum() }}(credits.credit) as leads
    from credits
    inner join valid_leads
        on credits.lead_id = valid_leads.lead_id
    group by valid_leads.lead_month, credits.attribution_model, credits.channel
),

customer_credits as (
    select
        customers.acquisition_month as month,
        models.attribution_model,
        coalesce(credits.channel, 'unattributed') as channel,
        {{ fsum() }}(coalesce(credits.credit, 1.0)) as new_customers
    from customers
    cross join models
    left join customer_leads
        on customers.customer_id = customer_leads.customer_id
    left join credits
        on
            customer_leads.attributed_lead_id = credits.lead_id
            and models.attribution_model = credits.attribution_model
    group by customers.acquisition_month, models.attribution_model, coalesce(credits.channel, 'unattributed')
),

grid as (
    select
        marketing.month,
        marketing.channel,
        models.attribution_model,
        marketing.ad_spend,
        marketing.marketing_cost
    from marketing
    cross join models
),

final as (
    select
        cast(grid.month as date) as month,
        cast(grid.channel as {{ dbt.type_string() }}) as channel,
        cast(grid.attribution_model as {{ dbt.type_string() }}) as attribution_model,
        cast(coalesce(lead_credits.leads, 0) as {{ type_double() }}) as leads,
        cast(coalesce(customer_credits.new_customers, 0) as {{ type_double() }}) as new_customers,
        cast(grid.ad_spend as {{ type_double() }}) as ad_spend,
        cast(grid.marketing_cost as {{ type_double() }}) as marketing_cost,
        cast({{ safe_ratio('grid.ad_spend', 'lead_credits.leads') }} as {{ type_double() }}) as cpl,
        cast({{ safe_ratio('grid.marketing_cost', 'customer_credits.new_customers') }} as {{ type_double() }})
            as cac
    from grid
    left join lead_credits
        on
            grid.month = lead_credits.month
            and grid.channel = lead_credits.channel
            and grid.attribution_model = lead_credits.attribution_model
    left join customer_credits
        on
            grid.month = customer_credits.month
            and grid.channel = customer_credits.channel
            and grid.attribution_model = customer_credits.attribution_model
)

select * from final
