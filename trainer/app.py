"""Composition root of the desktop app: the concrete pieces the window is given.

The window (:mod:`trainer.ui`) only sees :class:`~trainer.ui.services.Services`;
this module decides what fills it: :func:`sensors.sources.open_source` for sources,
the reference library, :class:`~trainer.scoring.LiveCoach` for live scoring, the BLE
scanner. It imports nothing from Qt at module level (the ``run_*`` functions import
:mod:`trainer.ui.runner` when called).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.ui.services import Services

if TYPE_CHECKING:
    from sensors.profiles import GloveProfile
    from sensors.sources.base import Source
    from trainer.scoring import LiveCoach, Reference
    from trainer.store.database import Store
    from trainer.store.references import ReferenceLibrary
    from trainer.store.sessions import SessionRecording
    from trainer.store.takes import TakeShelf
    from trainer.ui.runner import DemoOptions, DemoResult

__all__ = [
    "PROFILE_NAME",
    "SETTINGS_FILE",
    "default_services",
    "export_references",
    "load_references",
    "make_coach",
    "make_recorder",
    "open_counts_source",
    "open_library",
    "open_store",
    "open_takes",
    "profiles_folder",
    "run_demo",
    "run_gui",
    "run_replay",
    "save_profile",
    "save_reference",
    "settings_path",
    "warm_up",
]

SETTINGS_FILE = "settings.ini"
_log = logging.getLogger(__name__)


def load_references() -> list[Reference]:
    """Load every reference of the library (bundled and the user's), skipping bad files.

    Returns
    -------
    list of Reference
        Sorted by name; a corrupt user file is logged and left out rather than
        keeping the app from starting.
    """
    from trainer.exceptions import ReferenceFileError
    from trainer.store.references import ReferenceLibrary

    library = ReferenceLibrary()
    refs = []
    for name in library.names():
        try:
            refs.append(library.get(name))
        except ReferenceFileError as err:
            _log.warning("skipping reference %s: %s", name, err)
    return refs


def make_coach(reference: Reference, mode: str = "every", n: int = 3) -> LiveCoach:
    """Build the live scorer for a session.

    Parameters
    ----------
    reference : Reference
        The reference to follow.
    mode : {"every", "every_n", "off"}
        Faded-feedback schedule.
    n : int
        For ``every_n``: cues on every ``n``-th stroke.

    Returns
    -------
    LiveCoach
        A fresh scorer (one per session).
    """
    from trainer.scoring import FeedbackSchedule, LiveCoach

    return LiveCoach(reference, schedule=FeedbackSchedule(mode, n))


def warm_up() -> None:
    """Compile the live-scoring kernels by scoring one bundled reference against itself.

    Runs in a worker thread at start-up so the first real stroke does not wait for
    numba (the window shows "Preparing alignment…" meanwhile).
    """
    import numpy as np

    from trainer.store.references import ReferenceLibrary

    library = ReferenceLibrary()
    names = library.names()
    if not names:
        return
    ref = library.get(names[0])
    coach = make_coach(ref)
    rest = np.zeros((round(0.5 * ref.fs_hz), ref.template.shape[1]))
    for chunk in (rest, ref.template, rest, ref.template, rest):
        coach.push(chunk)


def open_store() -> Store:
    """Open the session database of the data home (migrating and recovering it)."""
    from trainer.store.database import Store

    return Store()


def make_recorder(
    store: Store,
    reference: Reference,
    feedback_mode: str,
    source: str,
    *,
    kind: str = "practice",
    surface: str = "",
    user: str = "",
) -> SessionRecording:
    """Build the recorder of one practice session.

    Parameters
    ----------
    store : Store
        The open session database.
    reference : Reference
        The reference being followed.
    feedback_mode : str
        Feedback schedule (``every``, ``every_n:3``, ``bandwidth:85:5``, ``off``...;
        :meth:`trainer.live.feedback.FeedbackMode.text`).
    source : str
        The source spec.
    kind : {"practice", "probe"}
        A probe is a short set with every feedback hidden.
    surface : str
        What is massaged (``pad``, ``mannequin``, ``person`` or short free text).
    user : str
        Who practises (``""``: the default person, ``student``).

    Returns
    -------
    SessionRecording
        Capture and attempts go to ``store`` as the session runs.

    Raises
    ------
    StoreError
        An unknown kind or a bad surface.
    """
    from trainer.store.database import DEFAULT_USER
    from trainer.store.sessions import SessionRecording

    return SessionRecording(
        store,
        reference=reference,
        source=source,
        feedback_mode=feedback_mode,
        kind=kind,
        surface=surface,
        user=user or DEFAULT_USER,
    )


def open_takes() -> TakeShelf:
    """Open the instructor's takes of the data home."""
    from trainer.store.paths import data_home
    from trainer.store.takes import TakeShelf

    return TakeShelf(data_home())


def save_reference(reference: Reference, overwrite: bool = False) -> Path:
    """Add a reference to the user's library; return its file.

    Raises
    ------
    ReferenceFileError
        The name is taken (and ``overwrite`` is false) or the file cannot be written.
    """
    from trainer.store.references import ReferenceLibrary

    return ReferenceLibrary().add(reference, overwrite=overwrite)


def open_library() -> ReferenceLibrary:
    """Return the reference library of the data home (the Instructor view manages it)."""
    from trainer.store.references import ReferenceLibrary

    return ReferenceLibrary()


def open_counts_source(spec: str, profile: GloveProfile) -> Source:
    """Build the glove of ``spec`` read in raw counts of ``profile`` (calibration wizard).

    Raises
    ------
    SourceError
        A bad spec, or the simulated glove (it performs strokes, not placed weights).
    """
    from trainer.cli.calibrate_cmds import open_counts_source as counts_source

    return counts_source(spec, profile)


#: A calibrated profile's file name (without ``.toml``), as the wizard names it.
PROFILE_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"


def profiles_folder() -> Path:
    """Where the calibration wizard writes profiles (``<data home>/profiles``)."""
    from trainer.store.paths import data_home

    return data_home() / "profiles"


def save_profile(profile: GloveProfile, name: str, overwrite: bool = False) -> Path:
    """Write a calibrated profile as ``<data home>/profiles/NAME.toml``; return the file.

    Raises
    ------
    ProfileError
        ``name`` is not 1-64 letters, digits, ``.``, ``_`` or ``-`` (first a letter or
        digit), or the profile does not round-trip.
    FileExistsError
        The file exists and ``overwrite`` is false.
    OSError
        The file cannot be written.
    """
    import re
    from datetime import UTC, datetime

    from sensors.exceptions import ProfileError
    from sensors.profiles import write_profile

    if not re.fullmatch(PROFILE_NAME, name) or ".." in name:
        raise ProfileError(
            f"invalid profile name {name!r}: use 1-64 letters, digits, '.', '_' or '-'"
        )
    folder = profiles_folder()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.toml"
    if target.exists() and not overwrite:
        raise FileExistsError(f"a profile named {name!r} already exists")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    comment = (
        f"Profile {profile.name!r} calibrated with known weights in the Connect view's\n"
        f"calibration wizard ({stamp}). Tables: monotone fit through the rest count (0 N)\n"
        "and each load; readings above the heaviest load are clipped to it."
    )
    return write_profile(profile, target, overwrite=overwrite, comment=comment)


def export_references(out: Path, names: Sequence[str]) -> dict[str, list[Any]]:
    """Write library references into a pack (``out`` replaced: the user chose it)."""
    from trainer.store.packs import export_pack

    return export_pack(Path(out), references=list(names), overwrite=True)


def _scan(timeout_s: float) -> Sequence[Any]:
    from sensors.sources.ble import scan

    return scan(timeout_s)


def _open_source(spec: str) -> Any:
    from sensors.sources import open_source

    return open_source(spec)


def default_services() -> Services:
    """Return the services of the real app.

    Returns
    -------
    Services
        Real sources, the reference library, live scoring, BLE scanning and the
        session store.
    """
    from sensors.profiles import DEFAULT_PROFILE, list_profiles
    from trainer.store.techniques import simulated_techniques, technique_names

    profiles = [DEFAULT_PROFILE, *(p for p in list_profiles() if p != DEFAULT_PROFILE)]
    return Services(
        open_source=_open_source,
        load_references=load_references,
        make_coach=make_coach,
        warm_up=warm_up,
        scan=_scan,
        open_store=open_store,
        make_recorder=make_recorder,
        open_takes=open_takes,
        save_reference=save_reference,
        export_references=export_references,
        open_library=open_library,
        open_counts_source=open_counts_source,
        save_profile=save_profile,
        profiles=tuple(profiles),
        techniques=tuple(technique_names()),  # the registry: references' + simulator's
        simulated_techniques=simulated_techniques(),
    )


def settings_path() -> Path:
    """Where the window remembers geometry and last choices (``<data home>/settings.ini``)."""
    from trainer.store.paths import data_home

    return data_home() / SETTINGS_FILE


def run_gui(services: Services | None = None) -> int:
    """Open the desktop app and run until it is closed.

    Parameters
    ----------
    services : Services or None
        Dependencies (default :func:`default_services`).

    Returns
    -------
    int
        Exit code.
    """
    from trainer.ui.runner import open_settings
    from trainer.ui.runner import run_gui as _run_gui

    return _run_gui(services or default_services(), open_settings(settings_path()))


def run_demo(
    options: DemoOptions,
    services: Services | None = None,
    *,
    remember: bool = True,
    user: str | None = None,
) -> DemoResult:
    """Run the demo (see :func:`trainer.ui.runner.run_demo`).

    Parameters
    ----------
    options : DemoOptions
        What to run.
    services : Services or None
        Dependencies (default :func:`default_services`).
    remember : bool
        Persist window settings (off for headless runs).
    user : str or None
        Who practises (an existing person); ``None``: the window's own choice.

    Returns
    -------
    DemoResult
        Scores, frames, screenshot path.
    """
    import dataclasses

    from trainer.ui.runner import open_settings
    from trainer.ui.runner import run_demo as _run_demo

    settings = open_settings(settings_path()) if remember else None
    chosen = services or default_services()
    if user is not None:
        chosen = dataclasses.replace(chosen, user=user)
    return _run_demo(chosen, options, settings)


def run_replay(
    data: Any, *, speed: float = 1.0, screenshot: Path | None = None, headless: bool = False
) -> Path | None:
    """Open the app on the Replay view (see :func:`trainer.ui.runner.run_replay`).

    Parameters
    ----------
    data : ReplayData
        What to replay (:func:`trainer.store.replay.load_replay`).
    speed : float
        Playback speed.
    screenshot : pathlib.Path or None
        Render to this PNG and return instead of opening the window for good.
    headless : bool
        No screen: remember nothing (window settings stay untouched).

    Returns
    -------
    pathlib.Path or None
        The screenshot written, if any.
    """
    from trainer.ui.runner import open_settings
    from trainer.ui.runner import run_replay as _run_replay

    settings = None if headless else open_settings(settings_path())
    return _run_replay(
        default_services(), data, speed=speed, screenshot=screenshot, settings=settings
    )
