"""Scoring-validity benchmark (issue 13): independent stroke generators and metrics.

* :mod:`~benchmarks.validity.generators` — five stroke generator families built apart
  from the project's simulator (``sensors/strokes.py``; family C in
  :mod:`~benchmarks.validity.family_c`, family D — sums of lognormal sub-movements and a
  capacitive-like sensor, written without reading A, B or C — in
  :mod:`~benchmarks.validity.family_d`; family E — motor commands through a contact model
  and a piezoresistive sensor, written without reading A–D — in
  :mod:`~benchmarks.validity.family_e`), performer styles, graded error kinds
  with their ground truth and expected deduction codes, non-strokes, recordings;
* :mod:`~benchmarks.validity.metrics` — AUC, Spearman, deduction precision / recall;
* :mod:`~benchmarks.validity.runner` — references through the product's build path,
  scoring through its segmentation, the metrics and the report.

Run ``python benchmarks/bench_validity.py --help``.
"""
