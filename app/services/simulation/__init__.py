"""The customer simulator's server side: sandbox webhooks, numbers, the phone view, the 24 h jump."""
