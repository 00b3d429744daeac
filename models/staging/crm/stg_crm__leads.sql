{#-
    Leads, cast and normalised, with their validity (LANDING.md, crm/leads):
    spam (status), test (email domain in var test_email_domains), duplicate (same normalised
    email or phone as an earlier VALID lead at most lead_dedup_days x 24 h before it; earlier =
    by created_at, then lead_id). Invalid leads are flagged, never dropped.

    Whether a lead is a duplicate depends on whether the earlier leads it matches are valid,
    which depends on theirs in turn. The candidate pairs form a graph that only points back
    in time, so evaluating "a lead is a duplicate when one of its candidates is valid" level by
    level settles every lead whose chain of candidates is shorter than the number of rounds.
    The rounds are unrolled below (`dedup_rounds`); the column
    `is_duplicate_resolution_settled` says whether the last two rounds agreed, and a test
    fails the build if any lead is not settled (then raise `dedup_rounds`).
-#}
{{ config(materialized='table') }}

{%- set dedup_rounds = 12 %}
{%- set dedup_hours = (var('lead_dedup_days') | float * 24) | round(6) %}
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
),

dedup_eligible as (
    select
        lead_id,
        created_at,
        email_normalized,
        phone_normalized
    from flagged
    where not is_spam and not is_test
),

matches_by_email as (
    select
        later.lead_id,
        earlier.lead_id as earlier_lead_id,
        earlier.created_at as earlier_created_at
    from dedup_eligible as later
    inner join dedup_eligible as earlier
        on later.email_normalized = earlier.email_normalized
    where
        (
            earlier.created_at < later.created_at
            or (earlier.created_at = later.created_at and earlier.lead_id < later.lead_id)
        )
        and earlier.created_at >= {{ dbt.dateadd('second', -(dedup_hours * 3600) | int, 'later.created_at') }}
),

matches_by_phone as (
    select
        later.lead_id,
        earlier.lead_id as earlier_lead_id,
        earlier.created_at as earlier_created_at
    from dedup_eligible as later
    inner join dedup_eligible as earlier
        on later.phone_normalized = earlier.phone_normalized
    where
        (
            earlier.created_at < later.created_at
            or (earlier.created_at = later.created_at and earlier.lead_id < later.lead_id)
        )
        and earlier.created_at >= {{ dbt.dateadd('second', -(dedup_hours * 3600) | int, 'later.created_at') }}
),

candidate_pairs as (
    select * from matches_by_email
    union
    select * from matches_by_phone
),

{# round 0: no lead is a duplicate; round i: a lead is a duplicate when one of its
    candidates was not a duplicate in round i - 1 #}
duplicates_round_0 as (
    select lead_id from candidate_pairs
    where false
),

-- noqa: disable=LT02,LT08
{% for round in range(1, dedup_rounds + 1) -%}
duplicates_round_{{ round }} as (
    select distinct candidate_pairs.lead_id
    from candidate_pairs
    left join duplicates_round_{{ round - 1 }} as earlier_duplicates
        on candidate_pairs.earlier_lead_id = earlier_duplicates.lead_id
    where earlier_duplicates.lead_id is null
),

{% endfor -%}
-- noqa: enable=LT02,LT08
first_valid_match as (
    select
        candidate_pairs.lead_id,
        candidate_pairs.earlier_lead_id as duplicate_of_lead_id,
        row_number() over (
            partition by candidate_pairs.lead_id
            order by candidate_pairs.earlier_created_at, candidate_pairs.earlier_lead_id
        ) as match_rank
    from candidate_pairs
    inner join duplicates_round_{{ dedup_rounds }} as duplicates
        on candidate_pairs.lead_id = duplicates.lead_id
    left join duplicates_round_{{ dedup_rounds }} as earlier_duplicates
        on candidate_pairs.earlier_lead_id = earlier_duplicates.lead_id
    where earlier_duplicates.lead_id is null
),

unsettled as (
    select newly_duplicate.lead_id
    from (
        select lead_id from duplicates_round_{{ dedup_rounds }}
        except
        select lead_id from duplicates_round_{{ dedup_rounds - 1 }}
    ) as newly_duplicate
    union
    select no_longer_duplicate.lead_id
    from (
        select lead_id from duplicates_round_{{ dedup_rounds - 1 }}
        except
        select lead_id from duplicates_round_{{ dedup_rounds }}
    ) as no_longer_duplicate
),

final as (
    select
        flagged.lead_id,
        flagged.created_at,
        flagged.visitor_id,
        flagged.email,
        flagged.phone,
        flagged.full_name,
        flagged.email_normalized,
        flagged.phone_normalized,
        flagged.form,
        flagged.utm_source,
        flagged.utm_medium,
        flagged.utm_campaign,
        flagged.status,
        flagged.owner_id,
        flagged.disqualified_reason,
        flagged.is_spam,
        flagged.is_test,
        first_valid_match.duplicate_of_lead_id is not null as is_duplicate,
        case
            when flagged.is_spam then 'spam'
            when flagged.is_test then 'test'
            when first_valid_match.duplicate_of_lead_id is not null then 'duplicate'
        end as invalid_reason,
        first_valid_match.duplicate_of_lead_id,
        not flagged.is_spam
        and not flagged.is_test
        and first_valid_match.duplicate_of_lead_id is null as is_valid,
        unsettled.lead_id is null as is_duplicate_resolution_settled
    from flagged
    left join first_valid_match
        on
            flagged.lead_id = first_valid_match.lead_id
            and first_valid_match.match_rank = 1
    left join unsettled
        on flagged.lead_id = unsettled.lead_id
)

select * from final
