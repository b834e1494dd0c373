"""The local sites proved against REAL's own judges (``halo sites check``): every v2 task's oracle solved through the
UI and its wrong solutions, judged by the official scripts (``site_check``), and each task's plan run in HALO's
environment and, unchanged, in agisdk's harness, whose verdicts must agree (``harness_check``)."""
