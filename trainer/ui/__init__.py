"""The desktop app: PySide6 + pyqtgraph views (the only layer importing Qt)."""
