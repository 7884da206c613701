"""A per-user background service that keeps the expensive parts warm between commands.

Each CLI command is a new process; importing the signing and validation stack, starting
LibreOffice and starting the veraPDF engine's JVM cost seconds every time. The service holds
them: heavy commands are handed to it over a Unix socket and run in a process forked from one
that has already imported everything (:mod:`.server`), with conversions and validations served
by the warm LibreOffice and JVMs (:mod:`.child`). The command gets the client's own stdin,
stdout and stderr (passed over the socket), so output, prompts, pipes and exit codes are those
of running it in-process; whenever the service cannot be reached safely the command runs
in-process (:mod:`.client`).

    wire.py    where the socket lives, who may use it, the JSON-lines messages
    client.py  the CLI side: find or start the service, hand a command over, wait for its end
    server.py  the service: accept, fork a worker per command, broker LibreOffice and veraPDF
    child.py   the worker side: take over the client's terminal, run the command, remote tools

May import: every stage, pipeline and batch. It runs the command line's commands without
importing cli/: ``__main__`` (the process entry point, above every layer) hands the CLI's
``main`` to the server.
"""
