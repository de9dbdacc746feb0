"""Both engines in one process and on a Dask LocalCluster: the same answers, and the time each took."""
