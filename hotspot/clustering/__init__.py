"""Point clustering of incidents: DBSCAN, HDBSCAN, OPTICS, ST-DBSCAN and CrimeStat's nearest-
neighbour hierarchical clustering, with identical coordinates treated as one weighted location."""
