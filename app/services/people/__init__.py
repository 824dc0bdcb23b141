"""Users and their sign-in: accounts of admins and agents, passwords, sessions, sign-in delays, API tokens."""
