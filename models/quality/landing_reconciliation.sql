{#- Per landing table: raw rows, staged rows and quarantined rows (errors and superseded),
    so that counts reconcile from raw to staging (raw = staged + quarantined). -#}
with

unioned as (
    {% call(landing_table) union_landing_tables() %}
        select
            '{{ landing_table.system }}' as source_system,
            '{{ landing_table.table }}' as source_table,
            count(*) as raw_rows,
            sum(case when quarantine_rule is null then 1 else 0 end) as staged_rows,
            sum(case when quarantine_rule = 'superseded' then 1 else 0 end) as superseded_rows,
            sum(case when quarantine_rule <> 'superseded' then 1 else 0 end) as rejected_rows
        from {{ ref(landing_base_model(landing_table)) }}
    {% endcall %}
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
