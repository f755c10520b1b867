"""Pure: broker URLs without their passwords, for everything a person or a file may see."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit, urlunsplit

MASK = "***"


def redact_url(url: str) -> str:
    """Return url with its password replaced by `***`.

    `redis://:secret@host:6379/0` becomes `redis://:***@host:6379/0`; a URL without a
    password comes back unchanged. Text that is not a URL comes back unchanged too.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, colon, _password = userinfo.partition(":")
    if not colon:  # a user name alone is no secret
        return url
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{hostport}"))


def redact_text(text: str, url: str) -> str:
    """Return text with every spelling of url's password replaced by `***`."""
    secret = password_of(url)
    if not secret:
        return text
    for spelling in {secret, quote(secret, safe="")}:
        text = text.replace(spelling, MASK)
    return text


def password_of(url: str) -> str | None:
    """Return the password in url (decoded), or None when it has none."""
    password = urlsplit(url).password
    return unquote(password) if password else None


def with_password(url: str, password: str | None) -> str:
    """Return url with password put in, unless it has one already or password is empty."""
    if not password or password_of(url):
        return url
    parts = urlsplit(url)
    user = parts.username or ""
    hostport = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{hostport}"
    return urlunsplit(parts._replace(netloc=netloc))
