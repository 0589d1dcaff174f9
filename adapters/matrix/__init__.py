"""The Matrix adapter: a matrix-nio client that turns room events into IncomingMessages and
sends the App's replies back as notices."""

from adapters.matrix.adapter import Backoff, MatrixAdapter

__all__ = ["Backoff", "MatrixAdapter"]
