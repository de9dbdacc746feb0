"""Pure libraries (no Django): name matching (linkage) and, later, kinship."""
