"""``coursepack preview``: the course inside an emulated LMS, with an inspector, live reload.

Nothing here is imported by the other commands (``cli.py`` loads ``preview.command`` lazily).

    command.py   the click command: options, start, Ctrl-C
    session.py   the course built in memory, rebuilt on change; launches; the learner's LRS
    lrs.py       an in-memory LRS (Statements, State, Agent Profile) and cmi5 fetch tokens
    server.py    the HTTP server: the shell page, assets, built files, LRS, server-sent events
    assets/      the shell page, the inspector and the SCORM LMS APIs (plain JS, no third party)
"""
