"""Identification of the dead and the missing: the kinship engine's CLI now, its records later."""
