"""``storyloop run`` as a real process against the test Synapse, to be killed and started
again: one config, one database and one Matrix store for the life of a test.

Its log (stderr) is read as it is written (``tests/logged_process.py``), so a test can wait
for a line (``joined ...``, ``rate limited in ...``) and act at that moment: waiting on what
the bot says it did, never on time.
"""

from __future__ import annotations

from pathlib import Path

from tests.logged_process import LoggedProcess

from .bot import PASSWORD_ENV
from .synapse import RegisteredUser, Synapse


class BotProcess(LoggedProcess):
    def __init__(self, synapse: Synapse, user: RegisteredUser, base: Path, sections: str = "",
                 storage: str | None = None, **matrix: str | float) -> None:
        """``storage``: the database's URL (default: ``run.db`` in ``base``)."""
        super().__init__(base / "storyloop.toml")
        self.user, self.base = user, base
        self.database = base / "run.db"
        extra = "".join(f"{key} = {value!r}\n".replace("'", '"') for key, value in matrix.items())
        self.config.write_text(
            f'[storage]\nurl = "{storage or f"sqlite:///{self.database}"}"\n\n'
            f'[matrix]\nhomeserver = "{synapse.url}"\n'
            f'user_id = "{user.user_id}"\npassword_env = "{PASSWORD_ENV}"\n'
            f'store_path = "{base / "store"}"\n{extra}\n{sections}')

    @property
    def user_id(self) -> str:
        return self.user.user_id

    async def start(self, **env: str) -> None:
        await super().start(**{PASSWORD_ENV: self.user.password, **env})

    async def synced(self) -> None:
        """Wait until the latest run is in sync with the homeserver."""
        await self.wait_for_line(lambda line: "in sync with the homeserver" in line,
                                 after=self.started_at)

