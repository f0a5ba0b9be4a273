"""BC's webhooks, emulated: the ``subscriptions`` API, pending notifications and BC's sending job."""
