{{ landing_checked_rows('web', 'sessions') }}
