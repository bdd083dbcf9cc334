"""``python -m trainer`` is the same as the ``massage-trainer`` command."""

from trainer.cli import main

raise SystemExit(main())
