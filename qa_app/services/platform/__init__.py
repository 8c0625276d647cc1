"""What every domain leans on: notifications and email, background task rows, working days, months.

Doors: ``notifications.notify`` (the one way to tell someone anything), ``mail.deliver``,
``tasks.create_task``, ``calendar.add_working_days`` and friends, ``paging.paginate``,
``health.database_status``, ``spc.xmr`` (statistical process control of any monthly series).
"""
