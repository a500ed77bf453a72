"""Point clustering of incidents: DBSCAN, HDBSCAN, OPTICS, ST-DBSCAN and CrimeStat's nearest-
neighbour hierarchical clustering, with identical coordinates treated as one weighted location;
cluster summaries, standard deviational ellipses and stability under resampling."""

from hotspot.clustering.cluster import METHODS, cluster_incidents
from hotspot.clustering.ellipse import StandardDeviationalEllipse, standard_deviational_ellipse
from hotspot.clustering.stability import cluster_stability
from hotspot.clustering.summary import cluster_summary

__all__ = [
    "METHODS",
    "StandardDeviationalEllipse",
    "cluster_incidents",
    "cluster_stability",
    "cluster_summary",
    "standard_deviational_ellipse",
]
