"""Everything storyloop says, in one place, so it can be reviewed and translated.

Keys are step names (the question asked in that state) or message names. ``{placeholders}``
are filled from the conversation. See ``../shared/VOICE.md`` for how the bot talks: warm, short,
plain; one idea per message; always a way out.
"""

from __future__ import annotations

CONSENT_WORDING_VERSION = "2026-11-v2"

PROMPTS: dict[str, str] = {
    # The story flow
    "story.welcome": (
        "Hi, I'm storyloop. I collect stories about local health services, especially what "
        "people have tried to make things better. It takes about 5 minutes, and you can say "
        "pause, back or stop any time. Shall we start?"
    ),
    "tried.welcome": (
        "Hi, I'm storyloop. It sounds like you've tried something to make things better, "
        "and I'd love to hear about it. It takes about 5 minutes, and you can say pause, "
        "back or stop any time. Shall we start?"
    ),
    "consent": (
        "Before you tell me anything: I'll keep your story so the team can learn from it. "
        "A moderator reads it first, and nothing I share ever shows your name. At the end "
        "you choose what else may happen with it. Is that OK?"
    ),
    "consent_more": (
        "Here's what happens. I keep your answers and the role you tell me, never your name. "
        "A moderator reads each story first and can hide anything that identifies someone. "
        "At the end you choose whether it may go, without your name, into a weekly summary "
        "for staff, be quoted, or whether we may contact you later. You can pause or stop at "
        "any time, nothing is sent until you say so, and 'forget me' erases it all. Is that OK?"
    ),
    "situation": "Thank you. What's been happening? Tell it in your own words.",
    "situation.opening": (
        "Thank you. You started by telling me:\n\n\u201c{opening}\u201d\n\nShall I keep that "
        "as what's been happening? Say yes, or tell it again in your own words."
    ),
    "tried": (
        "Thank you for telling me; that sounds hard. Has anyone (you, your team or someone "
        "else) tried something to make it better? \"Not yet\" is a fine answer too."
    ),
    "tried_first": "Thank you. What did you try? Tell it in your own words.",
    "tried_problem": "That's great to hear about. What was it trying to fix?",
    "tried_by": "It's good to hear something was tried. Who tried it?",
    "outcome": "What happened after that? It's fine if it's too early to tell.",
    "spread": "What would help this spread, or help it work better?",
    "need": (
        "That's fine; it helps to know nothing has been tried yet. What would help? "
        "What do you need?"
    ),
    "reflect_offer": (
        "Thank you. I have four short extra questions about what could change. "
        "Would you like to answer them?"
    ),
    "enhance": "What could this make better, or build on, that already works?",
    "restore": "Is there something it brings back that used to work, or that was lost?",
    "replace": "What might it replace, or make unnecessary?",
    "become": "If it went really well, what might it become?",
    "themes": (
        "Which of these is your story about? Pick as many numbers as you like (like 1, 3), "
        "or type your own words."
    ),
    "place": "Which service or place is this about? Say skip if you'd rather not say.",
    "role": "Last question: are you telling this as someone who uses services, or as staff?",
    "permissions": (
        "Thank you. What else is OK with you? Pick any (like 1, 3), or say none. You can "
        "still take part whatever you choose."
    ),
    "acted_name": (
        "Thank you. How should we name you as someone who made a difference? For example, "
        "your first name and team. Say skip to stay unnamed after all."
    ),
    "review": "Here's your story as others will see it:\n\n{story}\n\nShall I send it?",
    "change": "Which answer would you like to change?",
    "done": (
        "Thank you, your story is saved. A moderator will read it this week. It only goes "
        "further in the ways you agreed to, and never with your name. Say hello any time to "
        "tell another, or 'my stories' to see what I keep."
    ),
    "declined": (
        "That's completely fine. Nothing you've said has been kept. Say hello any time "
        "if you change your mind."
    ),
    # Messages about the conversation itself
    "help": (
        "You can answer in your own words. These always work: back (change your last answer), "
        "skip (leave out an optional question), pause (keep what you wrote and carry on later), "
        "restart, and status. About your data: my stories, export my data, forget me."
    ),
    "skip.required": "I need this one to make sense of your story, but take your time.",
    "skip.done": "Skipped.",
    "back.start": "We're at the start already.",
    "back.previous": "Of course. You said: \u201c{previous}\u201d",
    "pause": (
        "Paused. Everything you wrote is kept. Send any message when you'd like to carry on."
    ),
    "resume": (
        "Welcome back! Last time we got as far as this question:\n\n{prompt}\n\n"
        "Shall we carry on, or start again?"
    ),
    "resume.carry_on": "Welcome back!",
    "restart.confirm": "Start again from the beginning? What you wrote so far will be cleared.",
    "restart.kept": "OK, we'll carry on where we were.",
    "status": "We're on question {number} of about {total}:\n\n{prompt}",
    "not_understood": (
        "I didn't catch that. You can pick a number, or type your answer in your own words."
    ),
    "empty": "I didn't catch anything there. Type your answer in your own words.",
    "themes.none": "I didn't catch a theme there. Pick numbers like 1, 3 or type your own words.",
    "review.nothing": "(skipped)",
    "review.redacted": (
        "I've hidden details that could identify someone, in [brackets]: this is how "
        "moderators and staff would see it. To word it differently, say change an answer."
    ),
    "sorry": (
        "Sorry, something went wrong on my side. Everything you wrote before is safe. "
        "Could you send that again in a moment?"
    ),
    "retracted": "I've taken out the message you deleted; it won't be kept.",
    "safe.offer": (
        "Your story can wait. If you'd like to carry on with it, now or another time, just "
        "say so; there's no rush."
    ),
    "safe.stopped": "That's fine. Take care of yourself. I'm here whenever you want to talk.",
    "safe.alert": (
        "A conversation on {platform} may need a moderator's care ({concern}). The person "
        "has been given support contacts and the story is paused. Their words are not shown "
        "here."
    ),
    "forget.confirm": (
        "Do you want me to erase everything I keep from you: your stories, your answers and "
        "the link to you? This can't be undone."
    ),
    "forget.kept": "OK, nothing was erased.",
    "forget.done": (
        "Done. I've erased {count} stor{plural}, your answers and the link to you. If you talk "
        "to me again, we start afresh."
    ),
    "mydata.none": "I don't keep any stories from you.",
    "mydata.list": (
        "Here's what I keep from you:\n\n{stories}\n\nSay 'export my data' for all of it, or "
        "'forget me' to erase it."
    ),
    "mydata.export": "Here is everything I keep from you, as JSON:\n\n{data}",
    "terminal.banner": (
        "storyloop is listening. Say hello to start. Stories are kept in {path}. "
        "Press Ctrl-D to leave; you can carry on later."
    ),
    "group.offer": (
        "Thanks for the mention! Stories are best told one to one, so send me a direct "
        "message and we can start there."
    ),
}

CHOICE_LABELS: dict[str, str] = {
    "start": "Yes, let's start",
    "not_now": "Not now",
    "yes": "Yes, that's OK",
    "more": "Tell me more",
    "no": "No thanks",
    "me": "Me",
    "my team": "My team",
    "someone else": "Someone else",
    "nobody yet": "Nobody yet",
    "reflect": "Yes, ask me",
    "no_reflect": "No, skip them",
    "citizen": "Someone who uses services",
    "staff": "Staff",
    "both": "Both",
    "rather not say": "I'd rather not say",
    "send": "Yes, send it",
    "digest": "Include it in weekly summaries for staff, without my name",
    "quote": "Quote my words, without my name",
    "contact": "Contact me later to ask how it went",
    "name": "Name me as someone who made a difference",
    "none": "None of these",
    "safe_carry_on": "Carry on with my story",
    "safe_stop": "Stop here for now",
    "forget_yes": "Yes, erase everything",
    "forget_no": "No, keep it",
    "change": "Change an answer",
    "carry_on": "Carry on",
    "start_again": "Start again",
    "restart_yes": "Yes, start again",
    "restart_no": "No, carry on",
}


def say(key: str, **values: object) -> str:
    """The words for ``key``, with its placeholders filled."""
    return PROMPTS[key].format_map(_Blank(values)) if values else PROMPTS[key]


class _Blank(dict[str, object]):
    """Placeholders with no value are left empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""
