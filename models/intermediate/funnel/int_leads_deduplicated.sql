{#-
    Every lead with its validity (METRICS.md "Leads"; LANDING.md, crm/leads): invalid when
    spam, test, or a duplicate (same normalised email or phone as an earlier VALID lead at
    most lead_dedup_days x 24 h before it; earlier = by created_at, then lead_id). Invalid
    leads are flagged, never dropped. No personal data: the contacts stay in staging.

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
{%- set window_seconds = ((var('lead_dedup_days') | float * 24) | round(6) * 3600) | int %}

with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

dedup_eligible as (
    select
        lead_id,
        created_at,
        email_normalized,
        phone_normalized
    from leads
    where not is_spam and not is_test
),

matches_by_email as (
    {{ contact_matches('dedup_eligible', 'email_normalized', window_seconds) }}
),

matches_by_phone as (
    {{ contact_matches('dedup_eligible', 'phone_normalized', window_seconds) }}
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
        leads.lead_id,
        leads.created_at,
        leads.visitor_id,
        leads.form,
        leads.utm_source,
        leads.utm_medium,
        leads.utm_campaign,
        leads.status,
        leads.owner_id,
        leads.disqualified_reason,
        leads.is_spam,
        leads.is_test,
        first_valid_match.duplicate_of_lead_id is not null as is_duplicate,
        case
            when leads.is_spam then 'spam'
            when leads.is_test then 'test'
            when first_valid_match.duplicate_of_lead_id is not null then 'duplicate'
        end as invalid_reason,
        first_valid_match.duplicate_of_lead_id,
        not leads.is_spam
        and not leads.is_test
        and first_valid_match.duplicate_of_lead_id is null as is_valid,
        unsettled.lead_id is null as is_duplicate_resolution_settled
    from leads
    left join first_valid_match
        on
            leads.lead_id = first_valid_match.lead_id
            and first_valid_match.match_rank = 1
    left join unsettled
        on leads.lead_id = unsettled.lead_id
)

select * from final
