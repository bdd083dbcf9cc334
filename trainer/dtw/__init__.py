"""Dynamic time warping kernels (numba) and their plain-NumPy reference twins."""
