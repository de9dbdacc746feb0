"""Pages of the interchange: transmissions to the ICRC, PFIF, persons\x27 lists."""
