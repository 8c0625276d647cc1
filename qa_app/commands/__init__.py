"""Command groups of the ``qa`` command line, one module per area."""
