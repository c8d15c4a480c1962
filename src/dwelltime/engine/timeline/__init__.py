"""An issue batch as a timeline: visits of statuses and assignees and stays of any field's
values, clipped to the report window, the status rules of the report, and working time on
the calendar (`WorkClock`).

The ground every cell family stands on; knows nothing of columns or sheets."""
