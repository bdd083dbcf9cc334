"""The GUI's technique lists read the technique registry (issue 12).

A toy technique built by ``reference build`` is offered by Practice, Instructor and the
History filter; the simulated glove's picker (Connect) offers only what it can perform,
and picking the toy technique in Practice leaves the simulated glove as it is.
"""

from __future__ import annotations

from pathlib import Path

from fakes import make_services

from sensors.sources import open_source
from trainer.app import default_services, load_references
from trainer.cli import main
from trainer.ui.main_window import MainWindow

EFFLEURAGE = str(Path(__file__).parents[2] / "fixtures" / "effleurage-sim.mtcap")
SIMULATED = ["effleurage", "petrissage", "friction", "tapotement"]


def _items(combo) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def _build_toy() -> None:
    # An effleurage capture stands in for skin rolling: mixed on purpose.
    argv = ["reference", "build", "toy", EFFLEURAGE, "--technique", "skin rolling", "--allow-mixed"]
    assert main(argv) == 0


def test_services_read_the_registry(_isolated_home) -> None:
    assert list(make_services(open_source).techniques) == SIMULATED
    _build_toy()
    for services in (default_services(), make_services(open_source)):
        assert list(services.techniques) == [*SIMULATED, "skin rolling"]
        assert list(services.simulated_techniques) == SIMULATED


def test_every_view_offers_a_built_technique(qtbot, themed_app, _isolated_home) -> None:
    _build_toy()
    window = MainWindow(make_services(open_source, load_references()), frame_interval_ms=10)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.references_loaded and window.warm_done, timeout=5000)
        for combo in (window.practice_view.technique, window.instructor_view.technique):
            assert _items(combo) == [*SIMULATED, "skin rolling"]
        history = window.history_view.technique
        assert [history.itemData(i) for i in range(history.count())][-1] == "skin rolling"
        assert _items(window.connect_view.technique) == SIMULATED

        window.connect_source(window.connect_view.choice())
        qtbot.waitUntil(lambda: window.acquisition is not None, timeout=5000)
        before = window.choice
        assert before is not None and before.spec.startswith("sim:effleurage")
        window.practice_view.technique.setCurrentText("skin rolling")
        assert window.choice == before  # the simulated glove cannot perform it: unchanged
        qtbot.waitUntil(lambda: window.practice_view.reference.findText("toy") >= 0, timeout=5000)
        window.practice_view.technique.setCurrentText("friction")
        assert window.choice is not None and window.choice.target == "friction"
    finally:
        window.close()
