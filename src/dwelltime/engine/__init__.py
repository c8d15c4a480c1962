"""Pure computation: histories + parameters + now in, tables of numbers out.

Nothing here does I/O, reads a clock, or imports a database or HTTP library.
"""
