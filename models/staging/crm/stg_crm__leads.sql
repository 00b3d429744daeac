{#-
    Leads, cast, with normalised contacts and the flags one row decides (LANDING.md,
    crm/leads): spam (status) and test (email domain in var test_email_domains). Duplicates
    are found across rows in int_leads_deduplicated. A table: six models and the privacy scan
    read it.
-#}
{{ config(materialized='table') }}

{%- set test_domains = [] %}
{%- for domain in var('test_email_domains') %}
    {%- do test_domains.append("'" ~ (domain | lower | trim) ~ "'") %}
{%- endfor %}

with

checked_rows as (
    select * from {{ ref('base_crm__leads') }}
    where quarantine_rule is null
),

normalized as (
    select
        lead_id,
        created_at,
        visitor_id,
        email,
        phone,
        full_name,
        form,
        utm_source,
        utm_medium,
        utm_campaign,
        status,
        owner_id,
        disqualified_reason,
        {{ normalize_email('email') }} as email_normalized,
        {{ normalize_phone('phone') }} as phone_normalized
    from checked_rows
),

flagged as (
    select
        *,
        status = 'spam' as is_spam,
        coalesce(
            {{ email_domain('email_normalized') }} in ({{ test_domains | join(', ') if test_domains else "''" }}),
            false
        ) as is_test
    from normalized
)

select * from flagged
