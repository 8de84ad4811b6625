"""Numerical building blocks: interval bounds, sup-norm estimates, statistics, RNG kernels."""
