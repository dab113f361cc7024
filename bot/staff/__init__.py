"""The staff console: curate answers, work the callback queue, learn what visitors ask.

Run with `python -m bot.staff.app --port 5056` (`make run` starts it). See
app.py for how it is put together and accounts.py for the roles.
"""
