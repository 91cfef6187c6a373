"""Benchmarks P1-P7, run by ``make bench`` (``python -m tests.benchmarks``); not part of
``make test``. One module per benchmark; see ``__main__`` for the runner and the table."""
