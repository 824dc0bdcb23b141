"""WhatsApp accounts and their providers: configuration, provider access and failures,
re-authorization, webhooks, template sync."""
