"""Table assembly: once every batch is staged, `assembly.assemble_table` decides the value
columns and their titles, pivots the List sheet batch by batch, computes the aggregate
sheets and renders every cell, and returns the `ReportTable` the writers stream."""
