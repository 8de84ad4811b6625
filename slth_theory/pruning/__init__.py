"""Finding tickets by pruning: edge-popup with bias scores, the data sets, Figure 1."""
