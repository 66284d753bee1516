"""The rules of the law as pure functions: no I/O, exact arithmetic (int and Fraction).

One module per rule: shares (and underrepresentation), targets (sizing and attainment),
leadership (§ 4 Abs. 6), deadlines, routing (approval and plan duty), privacy (small cells).
"""
