-- Nothing is lost: for every landing table, the rows of the landing file equal the rows
-- staged plus the rows quarantined (LANDING.md). Returns the tables that do not reconcile.
with

unioned as (
    {% call(landing_table) union_landing_tables() %}
        select
            '{{ landing_table.system }}/{{ landing_table.table }}' as landing_table,
            (select count(*) from {{ source(landing_table.system, landing_table.table) }}) as raw_rows,
            (select count(*) from {{ ref(landing_table.staged) }}) as staged_rows,
            (
                select count(*) from {{ ref('quarantine') }}
                where source_table = '{{ landing_table.table }}'
            ) as quarantined_rows
    {% endcall %}
)

select *
from unioned
where raw_rows <> staged_rows + quarantined_rows
