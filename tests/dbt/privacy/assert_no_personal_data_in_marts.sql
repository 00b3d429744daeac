{#-
    No mart holds a lead's or customer's email, phone or name in clear text (MARTS.md).

    Collects the staged personal values (stg_crm__leads email, normalised phone and full name;
    stg_billing__customers email), then looks for them in every text column of every table
    or incremental model in schema `marts`, found at run time from the graph (so a new mart
    is covered without editing this test). A personal value leaks when it appears in a mart
    value as a whole token, compared lower-cased:
    - an email: a match of the email pattern equal to it;
    - a phone: a maximal run of digits equal to its digits, or a phone-like span (digits with
      spaces, dashes, dots, brackets, a leading +) whose digits equal them; a phone inside a
      longer run of digits (an ad id such as 120210000000001) is not a phone;
    - a name: its words, in order, between word boundaries (non-letters or the value's ends).
    Degenerate values are not looked for: phones with fewer than 7 digits, of one repeated
    digit or a plain ascending or descending run (0000000, 1234567: CRM placeholders), and
    names shorter than 5 characters. A mart value that is the name of a member of the team
    (crm/users, e.g. mart_sales_reps_monthly.rep_name) is not a leak, even when a lead has the
    same name. Also fails when a mart column is named email, phone or full_name, or starts with
    email/phone or ends with _email, _phone or full_name (customer_email, phone_normalized,
    ...). Returns one row per leak.

    Every comparison is an equality join on tokens (hash joins), so the cost grows with the
    marts' text, not with marts x personal values. Only the values where a separator splits
    digits are cut into phone spans (in the others every phone is a digit run), and tokens
    are not de-duplicated (the union of the leaked values is). At scale 100 (3 million
    distinct mart values) the query takes 3.0 s instead of 5.0 s.

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
-- depends_on: {{ ref('mart_pipeline') }}
-- depends_on: {{ ref('mart_funnel_cohorts') }}
-- depends_on: {{ ref('mart_attribution_markov') }}
-- depends_on: {{ ref('mart_attribution_comparison') }}
-- depends_on: {{ ref('mart_onboarding_channels') }}

{%- set min_name_length = 5 %}
{%- set min_phone_digits = 7 %}
{%- set email_pattern = '[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)+' %}
{%- set phone_span_pattern = '[+]?[0-9][0-9 ().-]*[0-9]' %}
{%- set split_digits_pattern = '(?s).*[0-9][ ().-]+[0-9].*' %}
{%- set not_a_letter = '[^\\p{L}]+' %}
{%- set word_pattern = '\\p{L}+' %}
{%- set text_columns = [] %}
{%- set personal_column_names = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.schema == 'marts'
        and node.config.materialized in ['table', 'incremental'] %}
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

personal_emails as (
    select
        'lead email' as kind,
        lower(email) as personal_value
    from leads
    where email is not null
    union
    select
        'customer email' as kind,
        lower(email) as personal_value
    from customers
    where email is not null
),

personal_phones as (
    select distinct
        'lead phone' as kind,
        phone_normalized as personal_value
    from leads
    where
        length(phone_normalized) >= {{ min_phone_digits }}
        and replace(phone_normalized, substring(phone_normalized, 1, 1), '') <> ''
        and position(phone_normalized in '01234567890123456789') = 0
        and position(phone_normalized in '98765432109876543210') = 0
),

lead_names as (
    select distinct
        trim({{ regexp_replace_all('lower(full_name)', not_a_letter, ' ') }}) as personal_value
    from leads
    where length(full_name) >= {{ min_name_length }}
),

personal_names as (
    select
        'lead full_name' as kind,
        personal_value,
        {{ dbt.split_part('personal_value', "' '", 1) }} as first_word
    from lead_names
    where personal_value <> ''
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

email_tokens as (
    select
        mart_value,
        {{ unnest_list(regexp_tokens('mart_value', email_pattern)) }} as token
    from distinct_mart_values
),

digit_runs as (
    select
        mart_value,
        {{ unnest_list(regexp_tokens('mart_value', '[0-9]+')) }} as token
    from distinct_mart_values
),

phone_spans as (
    select
        mart_value,
        {{ unnest_list(regexp_tokens('mart_value', phone_span_pattern)) }} as span
    from distinct_mart_values
    -- a span adds a phone to the digit runs only when a separator splits its digits
    where {{ regexp_full_match('mart_value', split_digits_pattern) }}
),

phone_tokens as (
    select
        mart_value,
        token
    from digit_runs
    union all
    select
        mart_value,
        {{ regexp_remove('span', '[^0-9]') }} as token
    from phone_spans
),

word_tokens as (
    select
        mart_value,
        {{ unnest_list(regexp_tokens('mart_value', word_pattern)) }} as token
    from distinct_mart_values
),

name_candidates as (
    select
        word_tokens.mart_value,
        personal_names.kind,
        personal_names.personal_value
    from word_tokens
    inner join personal_names
        on word_tokens.token = personal_names.first_word
),

leaked_values as (
    select
        email_tokens.mart_value,
        personal_emails.kind
    from email_tokens
    inner join personal_emails
        on email_tokens.token = personal_emails.personal_value
    union
    select
        phone_tokens.mart_value,
        personal_phones.kind
    from phone_tokens
    inner join personal_phones
        on phone_tokens.token = personal_phones.personal_value
    union
    select
        mart_value,
        kind
    from name_candidates
    where
        position(
            ' ' || personal_value || ' '
            in ' ' || trim({{ regexp_replace_all('mart_value', not_a_letter, ' ') }}) || ' '
        ) > 0
),

leaks as (
    select
        mart_values.mart_name,
        mart_values.column_name,
        mart_values.mart_value,
        leaked_values.kind,
        'holds a personal value' as failure
    from leaked_values
    inner join mart_values
        on leaked_values.mart_value = mart_values.mart_value
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
    select * from leaks
    union all
    select * from personal_columns
)

select * from final
