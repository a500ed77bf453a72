"""Cells: square and hexagonal grids, counting incidents into them, neighbours, the space-time cube."""

from hotspot.grid.cells import (
    CELLS_ON_SHORTER_SIDE,
    MAX_CELLS,
    assign_cells,
    cell_positions,
    count_incidents,
    hex_grid,
    square_grid,
)
from hotspot.grid.cube import SpaceTimeCube, freq_word, read_cube, space_time_cube
from hotspot.grid.weights import Neighbours, build_weights

__all__ = [
    "CELLS_ON_SHORTER_SIDE",
    "MAX_CELLS",
    "Neighbours",
    "SpaceTimeCube",
    "assign_cells",
    "build_weights",
    "cell_positions",
    "count_incidents",
    "freq_word",
    "hex_grid",
    "read_cube",
    "space_time_cube",
    "square_grid",
]
