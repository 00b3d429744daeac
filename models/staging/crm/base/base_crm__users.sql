{{ landing_checked_rows('crm', 'users') }}
