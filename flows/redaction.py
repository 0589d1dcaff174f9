"""Find and redact what identifies a person in a story before moderators, digests or exports
see it.

Rule-based: regular expressions and small word lists only. Pure, stdlib only, no I/O, so each
decision can be read, tested and changed by hand. Names are best effort; moderators redact the
rest (``story redact``).

Public API
----------
- ``find(text) -> list[Finding]``: what to remove, non-overlapping, sorted by start.
- ``redact(text, placeholder=default_placeholder) -> str``: each finding replaced by
  ``placeholder(kind)``, by default "[nhs number removed]", "[phone removed]" and so on.
- ``is_valid_nhs_number(digits) -> bool``: the modulus-11 check digit.

Rules
-----
A number *stands alone* when it is not glued before to a letter, a digit or one of
``+ £ $ € # . / ,`` (a phone may follow "/", as in "07700 900123/07700 900456"), nor, for NHS
numbers, to a digit and a space or dash; and when it is not followed by a letter, a digit, or
``. , -`` and a digit. So decimals, prices like £1,200.00, dates, times like 10:30, card numbers
and longer runs are never read as part of one. Its digits may be split by *gaps*: one or two
spaces, or a dash (or en dash) with or without a space on each side.

NHS_NUMBER
  Ten digits standing alone, gaps anywhere (943 476 5919, 943-476-5919, 9434765919,
  94347 65919), whose tenth digit is the modulus-11 check digit of the first nine
  (weights 10..2; 11 counts as 0; 10 means no valid number). Ten identical digits (0000000000)
  are placeholders, not numbers.
PHONE
  UK numbers standing alone: 0 then 1, 2, 3 or 7 then nine more digits (landlines 01/02,
  non-geographic 03, mobiles 07) with gaps or dots anywhere; the area code may be
  bracketed, "(0161) 496 0000"; international +44 or 0044, with or without "(0)". 08 and 09
  (freephone, premium) belong to services, not people, and are kept, as are short numbers
  (111, 999, 116 123).
Labelled reference numbers
  A would-be NHS or phone number right after a reference label is kept: order, ref,
  reference, invoice, tracking, booking, confirmation, Datix, optionally followed by no /
  number / # / id / code / ref; or case, ticket, incident, serial, batch, lot, transaction,
  claim, policy, account, job, parcel followed by one of those words ("order no. 4012...").
EMAIL
  local@domain.tld, the last part of the domain letters only; also "(at)" / "[at]" for @ and
  "(dot)" / "[dot]" for dots; and, when both are spelt out, "jane dot doe at example dot com"
  with a last part that is a known top-level domain (com, org, net, uk, nhs, ...). "at" alone
  is not enough: "we looked at nhs.uk" is kept.
POSTCODE
  A full UK postcode standing alone as a word, any case, with or without the space: an outward
  code in one of the six shapes (A9, A99, AA9, AA99, A9A, AA9A, using the letters the Royal
  Mail allows in each position) and an inward code digit + two letters (never C I K M O V), or
  GIR 0AA. Kept when the letters after the first mix cases ("Sw1a 1aA") or when the inward
  code is lowercase and reads as an ordinal or unit: "the A1 2nd exit", "vitamin D3 5ug".
DATE_OF_BIRTH
  A date: 14/02/1975, 14.02.75, 14-2-1975, "12 March 1984", "12th of March", "March 12,
  1984", "March 1984" (bare years are kept: "born in 1984"). It is a date of birth only near
  a birth word (born, DOB, D.O.B., date of birth, birth date, birthday, b-day): the word up to
  four words before the date, or up to three words after it, with no sentence end between;
  or right after a date of birth, joined by a comma, "or", "not" ...: "her DOB is 03/04/1956,
  not 04/03/1956" gives two. Appointment and other dates are kept.
URL (personal link)
  A web address (http(s)://..., www...., or a bare domain followed by a path) that points at a
  person: a path or query holding "@" (an e-mail or @handle); a query key naming a person
  (email, user, uid, name, patient, nhs_number, dob, phone, postcode ...); a profile segment
  (u, user, users, profile, people, person, in, member, members, author, channel) followed by
  more path, or a segment starting with ~; or any path on a social or fundraising site
  (facebook, instagram, x / twitter, tiktok, linkedin, threads, bluesky, github, gofundme,
  justgiving ...) unless its first segment is generic (help, about, groups, company, watch,
  hashtag ...). Site links such as nhs.uk or https://www.nhs.uk/conditions are kept.
NAME (best effort; the title or cue is kept, only the name words are removed)
  - A title then one or two capitalised words, with an optional initial: Dr, Mr, Mrs, Ms,
    Miss, Mx, Prof (with or without a dot), Doctor, Professor, Nurse, Sister, Matron (the last
    four also in lowercase: "my sister Jane"). "Dr Patel" -> "Dr [name removed]".
  - "my name is / my name's / I'm / I am / call me" then a capitalised word or two.
  - "my / our / his / her / their", perhaps one lowercase word, then a relation or role
    (husband, mum, son, friend, colleague, neighbour, carer, manager, midwife ...) then a
    capitalised word or two: "my husband Dave", "our ward manager Karen".
  - a person noun (nurse, doctor, lady, man, porter ...) + "called / named" + a capitalised
    word or two.
  A capitalised word is an uppercase letter then lowercase letters, allowing O'Brien,
  McDonald, Smith-Jones. It is a name word unless it is in ``_NOT_NAMES``: roles
  (Practitioner, Specialist), sentence and question words (The, Then, She, Why), weekdays and
  months (not April, May, June, August: they are names too), nationalities,
  faiths and self-descriptions ("I'm British", "I'm Band 6") and brands or characters (Mr Men,
  Dr Who, Dr Google, Dr Martens, Mr Kipling). A first word in the list cancels the match; a
  second word in it is left out.

Not detected
------------
Street addresses ("12 High Street"), hospital and staff numbers, outward-only postcodes ("the
LS6 area"), bare @handles, and names with no title or cue ("Sarah said ...").

Overlaps
--------
When findings overlap, the longest wins; on a tie, the kind listed first in ``Identifier``
wins. So a personal link holding an e-mail address is one personal link, and
"+44 7700 900123" is a phone.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from bot.core.words import say


class Identifier(StrEnum):
    """What a finding is; the value names it in placeholders."""

    NHS_NUMBER = "nhs number"
    PHONE = "phone"
    EMAIL = "email"
    POSTCODE = "postcode"
    DATE_OF_BIRTH = "date of birth"
    URL = "personal link"
    NAME = "name"


@dataclass(frozen=True)
class Finding:
    """One identifying span: ``text == original[start:end]``."""

    kind: Identifier
    start: int
    end: int
    text: str


def default_placeholder(kind: Identifier) -> str:
    """"[nhs number removed]", "[phone removed]", ... (the words are ``redaction.*``)."""
    return say(f"redaction.{kind.name.lower()}")


# Numbers -----------------------------------------------------------------------------------

_GLUED = r"(?<![\w+£$€#./,])"
_ALONE_BEFORE = rf"{_GLUED}(?<!\d[ -])"
_ALONE_AFTER = r"(?!\w|[.,-]\d)"
_GAP = r"(?: {1,2}| ?[-\u2013] ?)?"
_NHS = re.compile(rf"{_ALONE_BEFORE}\d(?:{_GAP}\d){{9}}{_ALONE_AFTER}")
_PHONE_GAP = r"(?: {1,2}| ?[-\u2013.] ?)?"
_PHONE = re.compile(
    rf"(?<![\w+£$€#.,])(?<!\d-)(?:(?:\+|00)44{_GAP}(?:\(0\){_GAP})?[1237](?:{_PHONE_GAP}\d){{9}}"
    rf"|0[1237](?:{_PHONE_GAP}\d){{9}}|\(0[1237](?:\d\)(?:{_PHONE_GAP}\d){{8}}"
    rf"|\d\d\)(?:{_PHONE_GAP}\d){{7}}|\d{{3}}\)(?:{_PHONE_GAP}\d){{6}})){_ALONE_AFTER}"
)
_WEIGHTS = range(10, 1, -1)
_NUMBER_WORD = r"(?:no\.?|nos\.?|number|num|#|id|code|ref(?:erence)?)"
_REFERENCE_LABEL = re.compile(
    r"\b(?:(?:order|ref|reference|invoice|tracking|booking|confirmation|datix)"
    rf"(?:\s*{_NUMBER_WORD})?|(?:case|ticket|incident|serial|batch|lot|transaction|claim|"
    rf"policy|account|job|parcel)\s*{_NUMBER_WORD})\s*(?:is|was|=|:|#|-)?\s*$",
    re.IGNORECASE,
)


def is_valid_nhs_number(digits: str) -> bool:
    """True when ten digits (spaces and dashes ignored) end in their modulus-11 check digit."""
    plain = digits.replace(" ", "").replace("-", "")
    if len(plain) != 10 or not plain.isascii() or not plain.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(plain[:9], _WEIGHTS, strict=True))
    check = (11 - total % 11) % 11
    return check != 10 and check == int(plain[9])


def _labelled_reference(text: str, start: int) -> bool:
    return bool(_REFERENCE_LABEL.search(text[max(0, start - 40) : start]))


def _nhs_numbers(text: str) -> Iterator[Finding]:
    for match in _NHS.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        plausible = is_valid_nhs_number(digits) and len(set(digits)) > 1
        if plausible and not _labelled_reference(text, match.start()):
            yield _finding(Identifier.NHS_NUMBER, match)


def _phones(text: str) -> Iterator[Finding]:
    for match in _PHONE.finditer(text):
        if not _labelled_reference(text, match.start()):
            yield _finding(Identifier.PHONE, match)


# E-mail and links --------------------------------------------------------------------------

_TLD = r"(?:com|org|net|uk|nhs|gov|ac|co|io|me|info|scot|wales|edu)"
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]*\w(?:@|\s*[\[(]at[\])]\s*)"
    r"(?:[a-z0-9-]+(?:\.|\s*[\[(]dot[\])]\s*))+[a-z]{2,}\b"
    rf"|(?<![\w.+-])\w[\w.+-]*(?: dot [\w+-]+)* at [a-z0-9-]+(?: dot [a-z0-9-]+)*"
    rf" dot {_TLD}\b",
    re.IGNORECASE,
)
_URL = re.compile(
    r"(?:\bhttps?://|(?<![\w@.-])www\.)[^\s<>\"']+"
    r"|(?<![\w@.-])(?:[a-z0-9-]+\.)+[a-z]{2,}[/?][^\s<>\"']*",
    re.IGNORECASE,
)
_HOST_AND_TAIL = re.compile(r"(?:https?://)?(?P<host>[^/?#]*)(?P<tail>.*)", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\""
_SOCIAL = (
    "facebook.com", "fb.com", "fb.me", "instagram.com", "twitter.com", "x.com", "tiktok.com",
    "linkedin.com", "threads.net", "bsky.app", "snapchat.com", "pinterest.com", "github.com",
    "tumblr.com", "gofundme.com", "justgiving.com", "patreon.com", "mastodon.social",
)
_GENERIC_SEGMENTS = frozenset({
    "", "help", "about", "policies", "policy", "legal", "privacy", "terms", "groups", "events",
    "company", "school", "jobs", "hashtag", "explore", "search", "watch", "login", "signup",
    "share", "sharer", "sharer.php", "home", "settings", "business", "ads", "learning",
})
_PROFILE_SEGMENT = re.compile(
    r"/(?:u|user|users|profile|profiles|people|person|in|member|members|author|channel)/[^/?#]"
    r"|/~\w",
    re.IGNORECASE,
)
_PERSON_QUERY = re.compile(
    r"[?&;](?:e-?mail|user(?:_?(?:name|id))?|uid|member(?:_?id)?|patient(?:_?id)?|"
    r"profile(?:_?id)?|person(?:_?id)?|(?:first_?|last_?|sur)?name|nhs(?:_?(?:no|number))?|"
    r"dob|phone|mobile|tel|postcode)=",
    re.IGNORECASE,
)


def _emails(text: str) -> Iterator[Finding]:
    for match in _EMAIL.finditer(text):
        yield _finding(Identifier.EMAIL, match)


def _links(text: str) -> Iterator[Finding]:
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        if _is_personal_link(url):
            yield Finding(Identifier.URL, match.start(), match.start() + len(url), url)


def _is_personal_link(url: str) -> bool:
    parts = _HOST_AND_TAIL.match(url)
    host, tail = (parts.group("host"), parts.group("tail")) if parts else ("", "")
    if "@" in tail or "%40" in tail or _PERSON_QUERY.search(tail) or _PROFILE_SEGMENT.search(tail):
        return True
    first_segment = re.split(r"[/?#]", tail.lstrip("/"))[0].lower()
    return _is_social(host) and first_segment not in _GENERIC_SEGMENTS


def _is_social(host: str) -> bool:
    host = host.lower()
    return any(host == site or host.endswith("." + site) for site in _SOCIAL)


# Postcodes ---------------------------------------------------------------------------------

_POSTCODE = re.compile(
    r"(?<![\w-])(?:[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?)|GIR)"
    r" ?\d[ABD-HJLNP-UW-Z]{2}(?![\w-])",
    re.IGNORECASE,
)
_LOWER_INWARD_WORDS = frozenset({"st", "nd", "rd", "th", "ug"})


def _postcodes(text: str) -> Iterator[Finding]:
    for match in _POSTCODE.finditer(text):
        letters = [char for char in match.group()[1:] if char.isalpha()]
        inward = match.group()[-2:]
        mixed = any(char.islower() for char in letters) and any(c.isupper() for c in letters)
        if not mixed and inward not in _LOWER_INWARD_WORDS:
            yield _finding(Identifier.POSTCODE, match)


# Dates of birth ----------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_DATE = re.compile(
    r"(?<![\w/.-])(?:(?:3[01]|[12]\d|0?[1-9])([/.-])(?:1[0-2]|0?[1-9])\1(?:\d{4}|\d\d)"
    rf"|{_DAY}(?: of)? {_MONTH}(?:,? {_YEAR})?|{_MONTH} (?:the )?{_DAY}(?:,? {_YEAR})?"
    rf"|{_MONTH},? {_YEAR})(?![\w/]|[.-]\d)",
    re.IGNORECASE,
)
_BIRTH = r"(?:\b(?:born|d\.?o\.?b|date of birth|birth ?date|birthdays?|b-?days?)\b\.?)"
_SEP = r"[\s:,()\u2013-]"
_TOKEN = r"[\w'\u2019]+"
_BIRTH_BEFORE = re.compile(rf"{_BIRTH}{_SEP}*(?:{_TOKEN}{_SEP}+){{0,4}}$", re.IGNORECASE)
_BIRTH_AFTER = re.compile(rf"{_SEP}*(?:{_TOKEN}{_SEP}+){{0,3}}{_BIRTH}", re.IGNORECASE)
_CHAINED = re.compile(rf"{_SEP}*(?:(?:not|or|nor|and|rather than|instead of){_SEP}+)?")


def _dates_of_birth(text: str) -> Iterator[Finding]:
    previous = -1
    for match in _DATE.finditer(text):
        chained = previous >= 0 and _CHAINED.fullmatch(text, previous, match.start())
        if chained or _near_birth_word(text, match):
            previous = match.end()
            yield _finding(Identifier.DATE_OF_BIRTH, match)


def _near_birth_word(text: str, date: re.Match[str]) -> bool:
    before = text[max(0, date.start() - 80) : date.start()]
    return bool(_BIRTH_BEFORE.search(before) or _BIRTH_AFTER.match(text[date.end() :][:80]))


# Names -------------------------------------------------------------------------------------

_WORD = r"(?:[A-Z]['\u2019])?(?:Ma?c)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_NAME = rf"(?P<first>(?:[A-Z]\.?[^\S\n]+)?{_WORD})(?:[^\S\n]+(?P<second>{_WORD}))?\b"
_TITLE = (
    r"(?:\b(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof)\.?|\b(?:Doctor|Professor|Nurse|Sister|Matron)"
    r"|\b(?:doctor|nurse|sister|matron))"
)
_INTRO = r"(?:\b[Mm]y name is|\b[Mm]y name's|\b[Ii]['\u2019]?m|\b[Ii] am|\b[Cc]all me)"
_RELATION = (
    r"\b(?:[Mm]y|[Oo]ur|[Hh]is|[Hh]er|[Tt]heir) (?:[a-z]+ )?(?:husband|wife|partner|son|"
    r"daughter|mum|mom|mother|dad|father|brother|grandson|granddaughter|grandma|grandmother|grandad|"
    r"granddad|grandfather|grandpa|nan|nana|gran|granny|friend|colleague|neighbour|carer|"
    r"baby|boyfriend|girlfriend|uncle|aunt|auntie|cousin|niece|nephew|manager|consultant|"
    r"midwife|GP|mentor|supervisor|named nurse|key worker|keyworker|social worker|"
    r"physio|surgeon|health visitor)"
)
_CALLED = (
    r"\b(?:nurse|doctor|midwife|man|woman|lady|guy|girl|boy|receptionist|consultant|porter|"
    r"carer|volunteer|paramedic|physio|pharmacist|surgeon|registrar|student|chap|bloke|"
    r"gentleman|patient|colleague|friend|cleaner|HCA|healthcare assistant) (?:called|named)"
)
_NAME_CUES = re.compile(rf"(?:{_TITLE}|{_INTRO}|{_RELATION}|{_CALLED})[^\S\n]+(?={_NAME})")
_NOT_NAMES_TEXT = """
    A An And Or But On In At To For Of With From By As If So Not No Yes Just Also Still Now
    Then The This That These Those There Here It He She They We You I My Our His Her Their
    Your After Before When While Thank Thanks Please Anyway Today Tomorrow Yesterday Later
    Why What How Where Which Whether Everyone Nobody Someone Anyone Everything Nothing
    Something Hello Hi Dear Good Well Oh
    Who Men Right Bean Blobby Motivator Muscle Whippy Kipling Google Martens Pepper Oetker
    Seuss Sheen Brown's Practitioner Practitioners Specialist Specialists Consultant
    Consultants Associate Associates Manager Lead Educator Prescriber Director Apprentice
    Assistant Ward Band Bank Agency Team Station Training Education Day Days Week Awards Led
    Clinic Clinics Surgery Hospital Trust Practice Service Services Unit Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday January February March July September October
    November December Christmas Easter Dr Mr Mrs Ms Miss Mx Prof Doctor Professor Nurse Sister
    Matron British English Scottish Welsh Irish Polish Indian Pakistani Bangladeshi Nigerian
    Ghanaian Filipino Romanian Italian Spanish Portuguese French German Chinese Caribbean
    African European American Australian Asian Black White Mixed Jewish Muslim Christian
    Catholic Hindu Sikh Buddhist Deaf Autistic Disabled Dyslexic Diabetic Epileptic Trans Gay
    Lesbian Bi Queer Type Really Very Back Sorry Happy Glad Fine Ok Okay Only Always Never
    Currently Retired Pregnant Registered Going Trying Looking Sure Writing Calling
"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())


def _names(text: str) -> Iterator[Finding]:
    for match in _NAME_CUES.finditer(text):
        first, second = match.group("first"), match.group("second")
        if first.split()[-1].rstrip(".") in _NOT_NAMES:
            continue
        last = "first" if second is None or second in _NOT_NAMES else "second"
        end = match.end(last)
        start = match.start("first")
        yield Finding(Identifier.NAME, start, end, text[start:end])


# Putting it together -----------------------------------------------------------------------

_DETECTORS: tuple[Callable[[str], Iterator[Finding]], ...] = (
    _nhs_numbers, _phones, _emails, _links, _postcodes, _dates_of_birth, _names,
)
_RANK = {kind: rank for rank, kind in enumerate(Identifier)}


def _finding(kind: Identifier, match: re.Match[str]) -> Finding:
    return Finding(kind, match.start(), match.end(), match.group())


def find(text: str) -> list[Finding]:
    """Identifying spans in ``text``: non-overlapping, sorted by start (see module docstring)."""
    chosen: list[Finding] = []
    candidates = (found for detect in _DETECTORS for found in detect(text))
    for found in sorted(candidates, key=lambda f: (f.start - f.end, _RANK[f.kind], f.start)):
        if all(found.end <= kept.start or found.start >= kept.end for kept in chosen):
            chosen.append(found)
    return sorted(chosen, key=lambda f: f.start)


def redact(text: str, placeholder: Callable[[Identifier], str] = default_placeholder) -> str:
    """``text`` with every finding replaced by ``placeholder(kind)``."""
    parts: list[str] = []
    last = 0
    for found in find(text):
        parts += [text[last : found.start], placeholder(found.kind)]
        last = found.end
    return "".join([*parts, text[last:]])
