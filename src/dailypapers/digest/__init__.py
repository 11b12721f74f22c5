"""Email digests: subscriptions with double opt-in, composing (pure), rendering, and sending
through an outbox that gives each reader one digest per period."""
