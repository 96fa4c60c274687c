"""relbot's pure decision core: policies, calendars, versions and support windows.

Nothing in this package performs I/O or reads the clock; every date is an argument.
"""
