"""Scheduling core of myKEPlive: free slots, free days and fair assignment.

Pure standard-library Python (no Django, no third-party imports); see
README.md in this package for the rules. All public names are re-exported here.
"""

from .assignment import choose_employee, nearest_slots
from .engine import earliest_slot, free_days, free_slots
from .model import (
    DEFAULT_TIMEZONE,
    DEFAULT_WINDOW_END,
    DEFAULT_WINDOW_START,
    CategoryRules,
    EmployeeSchedule,
    Interval,
    KepCalendar,
    Slot,
    TimeRange,
    blocked_interval,
    overlaps,
)

__all__ = [
    "DEFAULT_TIMEZONE",
    "DEFAULT_WINDOW_END",
    "DEFAULT_WINDOW_START",
    "CategoryRules",
    "EmployeeSchedule",
    "Interval",
    "KepCalendar",
    "Slot",
    "TimeRange",
    "blocked_interval",
    "choose_employee",
    "earliest_slot",
    "free_days",
    "free_slots",
    "nearest_slots",
    "overlaps",
]
