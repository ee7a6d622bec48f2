"""Accounts: users, log-in, profile, password reset codes, personal data, closing an account."""
