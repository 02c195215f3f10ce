"""Speed, accuracy and memory benchmarks; run them all with ``python -m benchmarks``.

Each benchmark is a module in this package with a ``run(quick: bool) -> None`` function
that prints its own figures. ``python -m benchmarks`` runs every such module in name
order; adding a benchmark is adding a module.
"""
