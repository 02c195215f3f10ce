"""The CLI's sub-commands, one module per group; each exposes ``register(subparsers)``."""
