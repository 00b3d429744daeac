{#- Lead pairs that share a contact: every (later lead, earlier lead) of `leads` with the same
    non-NULL `contact` value (a normalised email or phone), the earlier created at most
    `window_seconds` before the later (bound included; equal created_at: the smaller lead_id
    is the earlier). `leads` needs lead_id, created_at and the contact column. -#}
{% macro contact_matches(leads, contact, window_seconds) %}
    select
        later.lead_id,
        earlier.lead_id as earlier_lead_id,
        earlier.created_at as earlier_created_at
    from {{ leads }} as later
    inner join {{ leads }} as earlier
        on later.{{ contact }} = earlier.{{ contact }}
    where
        (
            earlier.created_at < later.created_at
            or (earlier.created_at = later.created_at and earlier.lead_id < later.lead_id)
        )
        and earlier.created_at >= {{ dbt.dateadd('second', -window_seconds, 'later.created_at') }}
{% endmacro %}
