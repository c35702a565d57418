"""One module per ``triage`` subcommand: ``register(subparsers)`` adds it, its handler runs it."""
