"""The desktop app: PySide6 + pyqtgraph views (the only layer importing Qt).

This package re-exports nothing, so importing its Qt-free modules never pulls in Qt:
:mod:`trainer.app` imports :mod:`trainer.ui.services` (injected services, no Qt) at
start-up, and the CLI must run without a display. Import from the modules themselves:
:mod:`trainer.ui.runner` (``run_gui``, ``run_demo``, ``DemoOptions``),
:mod:`trainer.ui.main_window` (``MainWindow``) and :mod:`trainer.ui.services`
(``Services``, ``SourceChoice``). The live engine the views read from is
:mod:`trainer.live`.
"""

from __future__ import annotations

__all__: list[str] = []
