"""A finished conversation as a story record: the answers, structured, with the consent given."""

from __future__ import annotations

from datetime import datetime

from bot.core.types import Consent, Conversation, Role, Story, TriedBy
from flows.prompts import CONSENT_WORDING_VERSION
from flows.spec import Answers


def consent_from(a: Answers, locale: str) -> Consent:
    picked = set(a.get("permissions") or ())
    return Consent(store=True, digest="digest" in picked, quote="quote" in picked,
                   contact="contact" in picked, name="name" in picked,
                   introduce="contact" in picked and a.get("introduce") == "meet",
                   wording_version=CONSENT_WORDING_VERSION, locale=locale,
                   given_at=datetime.fromisoformat(a["consent_at"]))


def build_story(conv: Conversation, now: datetime) -> Story:
    """The finished story, from the answers of a conversation that reached its end."""
    a: Answers = conv.answers
    tried_by = a.get("tried_by")
    return Story(
        platform=conv.key.platform,
        participant=conv.key.user_id,
        flow=conv.flow,
        situation=a.get("situation") or "",
        tried=a.get("tried"),
        tried_by=TriedBy(tried_by) if tried_by else None,
        outcome=a.get("outcome"),
        spread=a.get("spread"),
        enhance=a.get("enhance"),
        restore=a.get("restore"),
        replace=a.get("replace"),
        become=a.get("become"),
        themes=tuple(a.get("themes") or ()),
        role=Role(a["role"]),
        place=a.get("place"),
        consent=consent_from(a, conv.locale),
        safeguarding=a.get("safeguarding"),
        acted_name=a.get("acted_name") if "name" in (a.get("permissions") or ()) else None,
        created_at=now,
        updated_at=now,
    )
