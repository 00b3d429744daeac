{#- Per landing table: raw rows, staged rows and quarantined rows (errors and superseded),
    so that counts reconcile from raw to staging (raw = staged + quarantined). -#}
with

{% for landing_table in landing_tables() %}
    counted_{{ landing_table.table }} as (
        select
            '{{ landing_table.system }}' as source_system,
            '{{ landing_table.table }}' as source_table,
            count(*) as raw_rows,
            sum(case when quarantine_rule is null then 1 else 0 end) as staged_rows,
            sum(case when quarantine_rule = 'superseded' then 1 else 0 end) as superseded_rows,
            sum(case when quarantine_rule <> 'superseded' then 1 else 0 end) as rejected_rows
        from {{ ref(landing_base_model(landing_table)) }}
    ),
{% endfor %}

unioned as (
    {%- for landing_table in landing_tables() %}
        select * from counted_{{ landing_table.table }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        source_system,
        source_table,
        raw_rows,
        coalesce(staged_rows, 0) as staged_rows,
        coalesce(superseded_rows, 0) as superseded_rows,
        coalesce(rejected_rows, 0) as rejected_rows,
        case when raw_rows > 0 then 1.0 * coalesce(rejected_rows, 0) / raw_rows end as rejected_share
    from unioned
)

select * from final
