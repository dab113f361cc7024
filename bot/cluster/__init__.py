"""`make run-cluster`: the assistant as several processes behind nginx (issue #14).

PostgreSQL (conversations, callback requests, staff data), Redis (the lock
store that keeps two turns of one conversation apart, and shared abuse
limits), several Rasa replicas, the action server, the staff console, and
nginx in front with TLS. `servers.py` runs the Debian servers, `nginx.py`
writes nginx's configuration and certificate, `cluster.py` describes and
starts the whole thing, `__main__.py` is the command.
"""
