"""Theorem 5 made concrete: subset sum, ticket construction, certificates, calibration of C."""
