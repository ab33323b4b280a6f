"""Reports: tallies kept from the domain events, figures, fair rankings, CSV and dashboard.

``tally`` turns one domain event into idempotent counter increments; ``figures`` sums tally
rows and derives the published figures; ``rankings`` orders offices by the Wilson lower bound
of the satisfied share; ``exports`` and ``dashboard`` render them; ``service`` is the use case.
"""
