"""Figures for supervisors and admins: the dashboard and the admin home counts."""
