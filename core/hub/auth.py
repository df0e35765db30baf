"""The lab's authenticator: ``nativeauthenticator`` with admin-approved sign-up, fixed for JupyterHub 6.

nativeauthenticator 1.3.0 (the current release) times logins with ``self.statsd``, which
JupyterHub 6 removed (jupyterhub/jupyterhub#5407): every login then fails with HTTP 500.
Its login handler also cannot render JupyterHub's error page for a failed form post.
:class:`LabNativeAuthenticator` serves the same pages with a login handler that has
neither problem; everything else (sign-up, approval, password rules, lock-out) is
nativeauthenticator's own.
"""
from __future__ import annotations

from jupyterhub.handlers.base import BaseHandler
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator import handlers as native


class _NoTimer:
    """Stands in for the statsd client JupyterHub 6 no longer has."""

    def timer(self, name):
        return self

    def start(self):
        return self

    def stop(self, send=True):
        return None


class LabLoginHandler(native.LoginHandler):
    statsd = _NoTimer()

    def render_template(self, name, **ns):
        # no interception of error.html: nativeauthenticator's _render is async-only
        return BaseHandler.render_template(self, name, **ns)


class LabNativeAuthenticator(NativeAuthenticator):
    """nativeauthenticator with a login handler that works on JupyterHub 6."""

    def get_handlers(self, app):
        return [(p, LabLoginHandler if h is native.LoginHandler else h)
                for p, h in super().get_handlers(app)]
