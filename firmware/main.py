"""Boot entry point: MicroPython runs this file after ``boot.py``; it starts the glove."""

from glove import app

app.main()
