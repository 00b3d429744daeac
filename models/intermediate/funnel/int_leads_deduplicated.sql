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

{# Round i: a lead is a duplicate when one of its candidates was not a duplicate in round
    i - 1 (a lead with no candidate never is). Each round's state carries a lead's flag of
    that round and of the round before, so that every round reads the one before once and
    the rounds stay one chain (an engine that inlines CTEs, as Spark does, plans each
    reference of a round as a copy of every round before it). Round 1: every candidate is
    valid in round 0, so every lead with a candidate is a duplicate. #}
duplicate_states_round_1 as (
    select
        lead_id,
        true as is_duplicate,
        false as was_duplicate
    from candidate_pairs
    group by lead_id
),

-- noqa: disable=LT02,LT08
{% for round in range(2, dedup_rounds) -%}
duplicate_states_round_{{ round }} as (
    select
        candidate_pairs.lead_id,
        max(case when coalesce(earlier.is_duplicate, false) then 0 else 1 end) = 1
            as is_duplicate,
        max(case when coalesce(earlier.was_duplicate, false) then 0 else 1 end) = 1
            as was_duplicate
    from candidate_pairs
    left join duplicate_states_round_{{ round - 1 }} as earlier
        on candidate_pairs.earlier_lead_id = earlier.lead_id
    group by candidate_pairs.lead_id
),

{% endfor -%}
-- noqa: enable=LT02,LT08
{# the last round: every candidate pair with whether its earlier lead was valid in the round
    before the last (so the later lead is a duplicate in the last round) and in the one
    before that (a duplicate in the round before the last) #}
last_round_pairs as (
    select
        candidate_pairs.lead_id,
        candidate_pairs.earlier_lead_id,
        candidate_pairs.earlier_created_at,
        not coalesce(earlier.is_duplicate, false) as is_earlier_valid,
        not coalesce(earlier.was_duplicate, false) as was_earlier_valid
    from candidate_pairs
    left join duplicate_states_round_{{ dedup_rounds - 1 }} as earlier
        on candidate_pairs.earlier_lead_id = earlier.lead_id
),

last_round_ranked as (
    select
        lead_id,
        earlier_lead_id,
        is_earlier_valid,
        row_number() over (
            partition by lead_id
            order by
                case when is_earlier_valid then 0 else 1 end,
                earlier_created_at,
                earlier_lead_id
        ) as match_rank,
        max(case when is_earlier_valid then 1 else 0 end) over (partition by lead_id)
        = max(case when was_earlier_valid then 1 else 0 end) over (partition by lead_id)
            as is_settled
    from last_round_pairs
),

first_valid_match as (
    select
        lead_id,
        case when is_earlier_valid then earlier_lead_id end as duplicate_of_lead_id,
        is_settled
    from last_round_ranked
    where match_rank = 1
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
        coalesce(first_valid_match.is_settled, true) as is_duplicate_resolution_settled
    from leads
    left join first_valid_match
        on leads.lead_id = first_valid_match.lead_id
)

select * from final
