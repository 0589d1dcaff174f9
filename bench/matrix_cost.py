"""What one message costs on Matrix: storyloop beside the least a bot can do.

A throwaway Synapse on 127.0.0.1 (as the Matrix tests start it), then each bot in turn, with
E2EE on and off: ``storyloop run`` (a real process, as deployed) and a minimal matrix-nio
echo bot (``bench/matrix_echo.py``, the floor). For each, the same people (10) open a direct
chat with it, are greeted, then send the same messages (the 12 lines of a whole story, the
chaos test's script), one at a time: each waits for the reply before anyone sends the next.
Before that, one more person tells the first lines of a story (a warm-up: what a bot does
once, such as loading storyloop's safeguarding model, is not a cost per message; the bot's
start-up CPU is printed on its own).

Only that messaging phase is counted: the CPU time of the bot's process and of Synapse's
(from /proc), the reply latency each person saw (send to reply on screen), the bot's
resident memory at the end, and the requests the bot made to Synapse (from Synapse's access
log), by endpoint. storyloop's replies are also checked against what the App says to the
same script, so a cheaper bot that answers wrongly, twice or out of order is caught.

    .venv/bin/python -m bench.matrix_cost [--quick] [--rounds 2] [--requests] [--no-model-row]
        [--only storyloop] [--profile DIR] [--keep DIR]

``--quick``: 2 people, 4 messages each, one round (a smoke test). ``--rounds N`` runs every
bot N times (in turn, so that a slow moment of a shared machine spreads over all of them) and
reports the median of each figure (the mean of two rounds). Ratios within one run are what
count; on a shared machine, Synapse's CPU time varies most from round to round (it serves
the people too), so the requests the bot made (``--requests``) are the steadier measure of
what it asks of the homeserver.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from statistics import median

from bench.matrix_bots import BotRun, EchoBot, Storyloop
from bench.matrix_measure import AccessLog, Profile, Requests, cpu_ms, memory_mib
from tests.matrix.bot import says
from tests.matrix.people import Person
from tests.matrix.synapse import Synapse

REPO = Path(__file__).resolve().parents[1]
WAIT = 30.0
WARM_UP = 4
"""Lines of a story told before the messaging phase (two of them long enough for
storyloop's safeguarding model)."""
TARGETS = {"bot CPU": 1.3, "Synapse CPU": 1.1, "RSS": 1.4}
"""storyloop's figure divided by the floor's, at most (issue 16)."""


@dataclass
class Result:
    bot: str
    messages: int
    bot_ms: float
    synapse_ms: float
    latencies: list[float]
    rss: float
    peak: float
    requests: Requests
    startup_ms: float = 0.0
    """The bot's CPU time from its start until it is in sync with the homeserver."""
    wrong: int = 0
    """Replies a person saw that differ from what the App says (missing, twice, out of
    order): storyloop only."""
    notes: list[str] = field(default_factory=list)


async def measure(synapse: Synapse, bot: BotRun, people_count: int, lines: int,
                  encrypted: bool, profile: Profile | None = None) -> Result:
    """One bot's messaging phase. Before it, uncounted: the bot starts, the people log in,
    open a chat and are greeted, and one more person tells the first lines of a story (the
    warm-up: what a bot does once, such as loading storyloop's safeguarding model at the
    first message long enough for it, is not a cost per message)."""
    await bot.start()
    startup_ms = cpu_ms(bot.pid)
    people = [await Person.login(synapse.url, synapse.register(), bot.base / f"p{n}",
                                 encrypted=encrypted) for n in range(people_count + 1)]
    try:
        rooms = [await p.create_dm(bot.user_id, encrypted) for p in people]
        for person, room in zip(people, rooms, strict=True):
            await person.wait_for_message(room, says(bot.greeting), WAIT)
        for line, expect in bot.script(people_count)[:WARM_UP]:
            await people[-1].send(rooms[-1], line)
            await people[-1].wait_for_message(rooms[-1], says(expect), WAIT)
        result = await _phase(synapse, bot, people[:-1], rooms[:-1], lines, profile)
        result.startup_ms = startup_ms
        return result
    finally:
        for person in people:
            await person.close()
        await bot.stop()


async def _phase(synapse: Synapse, bot: BotRun, people: list[Person], rooms: list[str],
                 lines: int, profile: Profile | None) -> Result:
    assert synapse.pid is not None
    log = AccessLog(synapse.log_path)
    await settle(bot.pid, synapse.pid)
    if profile is not None:
        await profile.start(bot.pid)
    start = (cpu_ms(bot.pid), cpu_ms(synapse.pid), log.offset())
    latencies = []
    loop = asyncio.get_running_loop()
    for k in range(lines):
        for n, (person, room) in enumerate(zip(people, rooms, strict=True)):
            line, expect = bot.script(n)[k]
            sent = loop.time()
            await person.send(room, line)
            await person.wait_for_message(room, says(expect), WAIT)
            latencies.append(loop.time() - sent)
    await settle(bot.pid, synapse.pid)
    if profile is not None:
        await profile.stop()
    count = len(latencies)
    rss, peak = memory_mib(bot.pid)
    result = Result(bot.name, count, (cpu_ms(bot.pid) - start[0]) / count,
                    (cpu_ms(synapse.pid) - start[1]) / count, latencies, rss, peak,
                    log.requests(bot.user_id, start[2], log.offset()))
    result.wrong = await bot.wrong_replies(people, lines)
    return result


async def settle(*pids: int) -> None:
    """Wait until the processes have done what the last message started: until a quarter of
    a second passes in which none of them uses more than 10 ms of CPU (at most 5 s)."""
    for _ in range(20):
        before = [cpu_ms(pid) for pid in pids]
        await asyncio.sleep(0.25)  # a bench: sampling CPU time, not waiting for an event
        if all(cpu_ms(pid) - b <= 10 for pid, b in zip(pids, before, strict=True)):
            return


def synapse_python() -> Path:
    configured = os.environ.get("STORYLOOP_SYNAPSE_PYTHON")
    python = Path(configured) if configured else REPO / ".venv-synapse" / "bin" / "python"
    if not python.exists():
        sys.exit(f"no Synapse at {python}: run scripts/install-synapse, or set "
                 "STORYLOOP_SYNAPSE_PYTHON to a Python that can import synapse")
    return python


Maker = Callable[[Path], BotRun]


def bots(synapse: Synapse, with_model_off: bool) -> list[tuple[str, bool, Maker]]:
    """Each bot to run, E2EE on, then off: (row name, encrypted, how to make it in a
    directory of its own)."""
    made: list[tuple[str, bool, Maker]] = []
    for encrypted in (True, False):
        made.append(("echo floor", encrypted, partial(EchoBot, synapse, encrypted=encrypted)))
        made.append(("storyloop", encrypted,
                     partial(Storyloop, synapse, encrypted=encrypted, model=True)))
        if with_model_off:
            made.append(("storyloop, model off", encrypted,
                         partial(Storyloop, synapse, encrypted=encrypted, model=False)))
    return made


def median_result(results: list[Result]) -> Result:
    """Each figure's median over the rounds (the mean of two); latencies pooled, the
    requests of the run with the median bot CPU, wrong replies summed."""
    middle = sorted(results, key=lambda r: r.bot_ms)[(len(results) - 1) // 2]
    return Result(middle.bot, sum(r.messages for r in results) // len(results),
                  median(r.bot_ms for r in results), median(r.synapse_ms for r in results),
                  [x for r in results for x in r.latencies], median(r.rss for r in results),
                  median(r.peak for r in results), middle.requests,
                  startup_ms=median(r.startup_ms for r in results),
                  wrong=sum(r.wrong for r in results))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def table(rows: dict[tuple[str, bool], list[Result]]) -> str:
    out = ["| bot | E2EE | bot CPU ms/msg | x floor | Synapse CPU ms/msg | x floor | "
           "latency p50 / p95 ms | bot RSS MiB (peak) | x floor | bot requests/msg | "
           "start-up CPU ms |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for (name, encrypted), results in rows.items():
        r = median_result(results)
        floors = rows.get(("echo floor", encrypted))
        floor = median_result(floors) if floors else None
        out.append(
            f"| {name} | {'on' if encrypted else 'off'} | {r.bot_ms:.2f} | "
            f"{_times(r, floor, 'bot_ms')} | {r.synapse_ms:.1f} | "
            f"{_times(r, floor, 'synapse_ms')} | "
            f"{1000 * percentile(r.latencies, .5):.0f} / {1000 * percentile(r.latencies, .95):.0f}"
            f" | {r.rss:.0f} ({r.peak:.0f}) | {_times(r, floor, 'rss')} | "
            f"{r.requests.total / r.messages:.2f} | {r.startup_ms:.0f} |")
    return "\n".join(out)


def _times(mine: Result, floor: Result | None, what: str) -> str:
    """``mine``'s figure ``what`` as a multiple of the floor's."""
    return "-" if floor is None else f"{getattr(mine, what) / getattr(floor, what):.2f}"


def verdicts(rows: dict[tuple[str, bool], list[Result]]) -> str:
    out = ["targets (storyloop / floor, same run):"]
    for encrypted in (True, False):
        if ("storyloop", encrypted) not in rows or ("echo floor", encrypted) not in rows:
            continue
        r = median_result(rows[("storyloop", encrypted)])
        floor = median_result(rows[("echo floor", encrypted)])
        for what, mine, theirs in (("bot CPU", r.bot_ms, floor.bot_ms),
                                   ("Synapse CPU", r.synapse_ms, floor.synapse_ms),
                                   ("RSS", r.rss, floor.rss)):
            ratio, target = mine / theirs, TARGETS[what]
            met = "met" if ratio <= target else "NOT met"
            out.append(f"  E2EE {'on ' if encrypted else 'off'} {what:<12} "
                       f"{ratio:.2f} x (target <= {target}): {met}")
        out.append(f"  E2EE {'on ' if encrypted else 'off'} replies wrong, missing, twice or "
                   f"out of order: {sum(x.wrong for x in rows[('storyloop', encrypted)])}")
    return "\n".join(out)


def request_detail(rows: dict[tuple[str, bool], list[Result]]) -> str:
    out = ["requests each bot made to Synapse, per message (Synapse's own CPU ms per message "
           "for them, as it logs it):"]
    for (name, encrypted), results in rows.items():
        r = median_result(results)
        out.append(f"  {name}, E2EE {'on' if encrypted else 'off'}:")
        for what, n in sorted(r.requests.count.items(), key=lambda kv: -kv[1]):
            out.append(f"    {n / r.messages:6.2f}  {r.requests.cpu_ms[what] / r.messages:6.2f} ms"
                       f"  {what}")
    return "\n".join(out)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 people x 4 messages, 1 round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", action="store_true", help="print requests by endpoint")
    parser.add_argument("--only", help="run only the bots whose row name starts with this")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="sample each bot with py-spy during the messaging phase")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep it (Synapse's log, each bot's log)")
    parser.add_argument("--no-model-row", action="store_true",
                        help="leave out the row of storyloop with its safeguarding model off")
    args = parser.parse_args()
    people, lines, rounds = (2, 4, 1) if args.quick else (10, 12, args.rounds)
    rows: dict[tuple[str, bool], list[Result]] = {}
    with tempfile.TemporaryDirectory(prefix="storyloop-matrix-cost-") as tmp:
        base = args.keep or Path(tmp)
        synapse = Synapse(base / "synapse", synapse_python())
        synapse.start()
        try:
            for n in range(rounds):
                for name, encrypted, make in bots(synapse, not args.no_model_row):
                    if args.only and not name.startswith(args.only):
                        continue
                    tag = f"{name.replace(' ', '').replace(',', '-')}-e2ee-{encrypted}-{n}"
                    bot = make(base / tag)
                    profile = Profile(args.profile / f"{tag}.txt") if args.profile else None
                    result = await measure(synapse, bot, people, lines, encrypted, profile)
                    rows.setdefault((name, encrypted), []).append(result)
                    print(f"round {n + 1}: {name}, E2EE {'on' if encrypted else 'off'}: "
                          f"bot {result.bot_ms:.2f} ms/msg, Synapse {result.synapse_ms:.1f} "
                          f"ms/msg, RSS {result.rss:.0f} MiB", flush=True)
        finally:
            synapse.stop()
    print(f"\n{people} people x {lines} messages, one at a time; {rounds} round(s), "
          "the median of each figure\n")
    print(table(rows), verdicts(rows), sep="\n\n")
    if args.requests:
        print("\n" + request_detail(rows))


if __name__ == "__main__":
    asyncio.run(main())
