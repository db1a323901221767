"""Mail sources: the local SMTP sink, Mailpit, and the per-run mailbox."""
