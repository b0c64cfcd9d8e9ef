"""The failure drills of issue 12, run on demand with bin/drill (never by bin/test): each sets
up a fresh database and a real gunicorn, casts ballots from phones under load, disrupts the
server mid-load, lets it recover and prints what it found (docs/OPERATIONS.md "Drills").

- __main__.py   the command: choose drills, run each within a time limit, the closing table
- catalogue.py  the drills by name and the databases each runs on
- scenario.py   the shape every drill shares: load, disruption, recovery, common checks
- phones.py     the assembly: phones that tap again after a failed request, and the staff
- checks.py     the common checks: nothing lost, no English error page, a fresh phone votes
- village.py    the village with an open round on a fresh database, served; what is stored
- places.py     where the data lives: temporary SQLite, a throwaway PostgreSQL, a small tmpfs
- report.py     what a drill found, and the closing table
- worker_kill.py, postgres_restart.py, redis_down.py, disk_full.py, backup_restore.py: the drills
"""
