"""The lab's JupyterHub: configured and launched by Gilgamesh (GUI-free).

* :mod:`core.hub.settings` -- the ``[hub]`` table of the config file.
* :mod:`core.hub.secrets` -- cookie secret and API token (mode 0600, checked).
* :mod:`core.hub.launcher` -- ``start``/``stop``/``status`` of the hub process tree.
* :mod:`core.hub.jhconfig` -- the JupyterHub configuration (read by ``jupyterhub -f``).
* :mod:`core.hub.contents` -- the Jupyter ``ContentsManager`` over the notebook store
  (imports ``jupyter_server``; nothing here imports it eagerly).
* :mod:`core.hub.biblio_service` -- the bibliography as a hub-authenticated service page.
* :mod:`core.hub.cli` -- ``gilgamesh hub start|stop|status|adduser``.

See ``docs/hub.md``.
"""
