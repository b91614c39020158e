"""Signals the accounts package sends; higher packages connect receivers in the factory.

Receivers run synchronously inside the sender's transaction: what they change commits
or rolls back together with the change that caused it.
"""

from blinker import Namespace

_signals = Namespace()

#: Sent by ``update_profile`` with the user as sender and ``changed`` (field name → new
#: value) after someone changed their own details, before the commit.
profile_changed = _signals.signal("profile-changed")
