"""The Matrix adapter: a matrix-nio client that turns room events into IncomingMessages and
sends the App's replies back as notices.

What Matrix demands, and where it is handled:

* ``session``: our login and device are kept across restarts (``login.json`` beside the crypto
  store); we never log out, which would destroy the encryption keys.
* ``sync``: no replay of history on a first start, nothing missed on a restart (the sync token
  is saved after each handled batch); a failed sync means a pause with backoff.
* ``events``: room events as IncomingMessages, a pure function tested on event JSON.
* ``invites``: invites are joined only when addressed to us, and only from allowed inviters;
  whom to greet is kept before joining, so a restart between join and greeting still greets.
* ``undecrypted``: an encrypted message whose key has not come is held, its key asked for,
  and, if it still cannot be read after ``unreadable_after_seconds``, the person is asked
  to send it again.
* ``send``: rate limits (``M_LIMIT_EXCEEDED``) are waited out; a transaction id lets the
  homeserver show a retried reply once. Replies are sent from the reply outbox
  (``bot/features/outbox.py``), in order per room. ``render`` makes replies into message
  content; ``digest`` posts a digest.
* ``adapter``: the wiring, and ``MatrixAdapter``; a failing handler is logged while the person
  gets a kind reply, and the sync loop carries on.
"""

from adapters.matrix.adapter import MatrixAdapter
from adapters.matrix.sync import Backoff

__all__ = ["Backoff", "MatrixAdapter"]
