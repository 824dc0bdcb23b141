"""The AI assistant: an OpenAI-compatible model that answers customers first and hands over to agents."""
