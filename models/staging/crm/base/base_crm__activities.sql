{{ landing_checked_rows('crm', 'activities') }}
