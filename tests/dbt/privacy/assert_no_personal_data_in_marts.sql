{#-
    No mart holds a lead's or customer's email, phone or name in clear text (MARTS.md).

    Collects the staged personal values (stg_crm__leads email, normalised phone and full name;
    stg_billing__customers email), then looks for them in every text column of every table
    model in schema `marts`, found at run time from the graph (so a new mart is covered
    without editing this test). A mart value leaks when it contains one of them (compared
    lower-cased), or when its digits alone are a lead's normalised phone (a phone written
    with other separators). Values shorter than 5 characters are not looked for, so that a
    short name or phone does not match inside ordinary ids; a mart value that is the name of
    a member of the team (crm/users, e.g. mart_sales_reps_monthly.rep_name) is not a leak,
    even when a lead has the same name. Also fails when a mart column is named email, phone
    or full_name, or starts with email/phone or ends with _email, _phone or full_name
    (customer_email, phone_normalized, ...). Returns one row per leak.

    Containment is searched through substrings (a value contains p only if it contains p's
    first characters), so the test stays a hash join instead of comparing every mart value
    with every personal value: p's first 10 characters when p has at least 10, else its first
    5. The longer key matters at scale: phones share their first digits by the tens of
    thousands and ids are full of digits, so a 5-digit key paired every digit run of every id
    with ~30,000 phones (24 s of the test at scale 100; a few seconds with the 10-character
    key). Values longer than the generated positions are compared one by one.

    The depends_on lines make dbt build the public marts (MARTS.md) before this test runs.
-#}
-- depends_on: {{ ref('fct_ad_spend_daily') }}
-- depends_on: {{ ref('fct_leads') }}
-- depends_on: {{ ref('fct_attribution') }}
-- depends_on: {{ ref('fct_customer_journeys') }}
-- depends_on: {{ ref('fct_mrr_monthly') }}
-- depends_on: {{ ref('mart_marketing_monthly') }}
-- depends_on: {{ ref('mart_cmo_kpis_monthly') }}
-- depends_on: {{ ref('mart_plan_vs_actual') }}
-- depends_on: {{ ref('mart_sales_reps_monthly') }}
-- depends_on: {{ ref('mart_onboarding_retention') }}

{%- set min_length = 5 %}
{%- set long_key_length = 10 %}
{%- set max_positions = 4096 %}
{%- set text_columns = [] %}
{%- set personal_column_names = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.schema == 'marts'
        and node.config.materialized == 'table' %}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.alias) %}
        {%- if relation is not none %}
            {%- for column in adapter.get_columns_in_relation(relation) %}
                {%- if column.is_string() %}
                    {%- do text_columns.append({
                        'relation': relation, 'model': node.name, 'column': column.name}) %}
                {%- endif %}
                {%- set name = column.name | lower %}
                {%- if name in ['email', 'phone', 'full_name']
                    or name.startswith('email') or name.startswith('phone')
                    or name.endswith('_email') or name.endswith('_phone') or name.endswith('full_name') %}
                    {%- do personal_column_names.append({'model': node.name, 'column': column.name}) %}
                {%- endif %}
            {%- endfor %}
        {%- endif %}
    {%- endfor %}
{%- endif %}

with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

team_names as (
    select distinct lower(full_name) as team_name
    from {{ ref('stg_crm__users') }}
    where full_name is not null
),

personal_values as (
    select
        'lead email' as kind,
        lower(email) as personal_value
    from leads
    union
    select
        'lead phone' as kind,
        phone_normalized as personal_value
    from leads
    union
    select
        'lead full_name' as kind,
        lower(full_name) as personal_value
    from leads
    union
    select
        'customer email' as kind,
        lower(email) as personal_value
    from customers
),

searched_values as (
    select
        kind,
        personal_value,
        case
            when length(personal_value) >= {{ long_key_length }} then {{ long_key_length }}
            else {{ min_length }}
        end as key_length
    from personal_values
    where length(personal_value) >= {{ min_length }}
),

searched_keys as (
    select
        kind,
        personal_value,
        key_length,
        substring(personal_value, 1, key_length) as personal_key
    from searched_values
),

mart_values as (
    {%- for text_column in text_columns %}
        select distinct
            '{{ text_column.model }}' as mart_name,
            '{{ text_column.column }}' as column_name,
            lower({{ adapter.quote(text_column.column) }}) as mart_value
        from {{ text_column.relation }}
        where {{ adapter.quote(text_column.column) }} is not null
        union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as mart_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as mart_value
    where false
),

distinct_mart_values as (
    select distinct mart_value
    from mart_values
    where mart_value not in (select team_names.team_name from team_names)
),

positions as (
    {{ dbt.generate_series(max_positions) }}
),

mart_value_keys as (
    select
        distinct_mart_values.mart_value,
        substring(distinct_mart_values.mart_value, positions.generated_number, {{ min_length }}) as short_key,
        substring(distinct_mart_values.mart_value, positions.generated_number, {{ long_key_length }}) as long_key
    from distinct_mart_values
    inner join positions
        on positions.generated_number <= length(distinct_mart_values.mart_value) - {{ min_length - 1 }}
),

candidate_pairs as (
    {%- for key_column, key_length in [('short_key', min_length), ('long_key', long_key_length)] %}
        select
            mart_value_keys.mart_value,
            searched_keys.kind,
            searched_keys.personal_value
        from mart_value_keys
        inner join searched_keys
            on mart_value_keys.{{ key_column }} = searched_keys.personal_key
        where searched_keys.key_length = {{ key_length }}
        union all
    {%- endfor %}
    select
        distinct_mart_values.mart_value,
        searched_values.kind,
        searched_values.personal_value
    from distinct_mart_values
    cross join searched_values
    where length(distinct_mart_values.mart_value) > {{ max_positions + min_length - 1 }}
),

contained_values as (
    select
        mart_values.mart_name,
        mart_values.column_name,
        mart_values.mart_value,
        candidate_pairs.kind,
        'contains a personal value' as failure
    from candidate_pairs
    inner join mart_values
        on candidate_pairs.mart_value = mart_values.mart_value
    where position(candidate_pairs.personal_value in candidate_pairs.mart_value) > 0
),

phones_in_other_formats as (
    select
        mart_values.mart_name,
        mart_values.column_name,
        mart_values.mart_value,
        searched_values.kind,
        'is a phone number' as failure
    from mart_values
    inner join searched_values
        on {{ regexp_remove('mart_values.mart_value', '[^0-9]') }} = searched_values.personal_value
    where
        searched_values.kind = 'lead phone'
        and mart_values.mart_value not in (select team_names.team_name from team_names)
),

personal_columns as (
    {%- for personal_column in personal_column_names %}
        select
            '{{ personal_column.model }}' as mart_name,
            '{{ personal_column.column }}' as column_name,
            cast(null as {{ dbt.type_string() }}) as mart_value,
            'column name' as kind,
            'column named like personal data' as failure
        union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as mart_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as mart_value,
        cast(null as {{ dbt.type_string() }}) as kind,
        cast(null as {{ dbt.type_string() }}) as failure
    where false
),

final as (
    select * from contained_values
    union
    select * from phones_in_other_formats
    union all
    select * from personal_columns
)

select * from final
