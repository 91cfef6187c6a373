"""A Runware-compatible server: the app's offline backend and the peer of integration tests.

Run it with ``python -m gui.sandbox --data-dir DIR`` (or ``sora-sandbox``), or from Python with
:class:`gui.sandbox.process.SandboxProcess`. It never imports Qt.

Where things are:

* ``__main__.py`` the command line; ``process.py`` the launcher used by the app and tests
* ``server.py`` HTTP routes, auth and envelopes; ``ws.py`` the WebSocket; ``admin.py`` test aids
* ``tasks.py`` every taskType; ``submit.py`` videoInference; ``replies.py`` answer shapes
* ``lifecycle.py`` jobs, timing and served files; ``delivery.py`` + ``webhooks.py`` outbound calls
* ``render.py`` + ``picture.py`` the synthetic videos; ``images.py`` uploaded images
* ``faults.py`` fault scenarios; ``config.py`` settings and protocol switches
* ``accounts.py`` keys and balances; ``requestlog.py`` the JSONL request log; ``state.py`` glue
"""
