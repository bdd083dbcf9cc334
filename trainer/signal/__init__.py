"""Signal processing: calibration, tare, streaming and offline filters, features."""
