"""Instructors' blind ratings: agreement with the program's scores, and calibration.

Pure maths and data (no I/O, no Qt): :mod:`~trainer.ratings.model` (ratings, fault
tags), :mod:`~trainer.ratings.agreement` (ρ, r, ICC, Bland–Altman, κ, bootstrap),
:mod:`~trainer.ratings.report` (the ``agreement`` figures) and
:mod:`~trainer.ratings.calibration` (fitting a reference's weights to ratings).
The ratings are stored by :mod:`trainer.store.ratings`.
"""
