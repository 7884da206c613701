"""The secretariat's workbench in the browser (``referatbygg serve``): a local web application
over a meetings folder, using the same library functions as the CLI.

    server.py     the HTTP server: 127.0.0.1 only, a random token, Host and Origin checked
    meetings.py   what the pages show: bodies, meetings, their state and check's findings
    templates/    the pages (Jinja2, Norwegian), static/ their stylesheet — nothing external

May import: every stage and pipeline (the same functions as the command line); never cli/ or
service/.
"""
