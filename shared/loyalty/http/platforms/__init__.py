"""Platform adapters: each platform's native webhooks, verified its way and translated into the
canonical events (loyalty.http.models). The domain never sees a platform payload."""
