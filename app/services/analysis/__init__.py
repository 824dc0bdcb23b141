"""Sentiment of customer messages: the rule and its word lists."""
