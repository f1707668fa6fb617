"""A comment's Markdown to safe HTML: markdown-it-py (CommonMark with tables and
strikethrough; raw HTML and images off) renders, and nh3 keeps only an allow-list of tags and
attributes and links to http, https and mailto (with rel="nofollow noopener").

``@name`` of a member becomes ``<span class="mention">``, in text only (never in code), and
the ids of the members named are returned. Rendered once, when a comment is written; the
thread shows the stored HTML (see README, "Comments": what it costs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from tracker.comments.rules import find_mentions

TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    "span",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
CLASSES = {"span": {"mention"}}
SCHEMES = {"http", "https", "mailto"}


def _mentions(state: StateCore) -> None:
    names = state.env.get("names")
    if not names:
        return
    found: set[int] = state.env.setdefault("mentioned", set())
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            hits = find_mentions(token.content, names) if token.type == "text" else []
            if not hits:
                children.append(token)
                continue
            at = 0
            for hit in hits:
                if hit.start > at:
                    children.append(_text(token.content[at : hit.start]))
                mention = Token("mention", "span", 0, content=token.content[hit.start : hit.end])
                children.append(mention)
                found.update(hit.person_ids)
                at = hit.end
            if at < len(token.content):
                children.append(_text(token.content[at:]))
        block.children = children


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _render_mention(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return f'<span class="mention">{escape(tokens[idx].content)}</span>'


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable(["image"])  # no third-party images (tracking, and the CSP allows only ours)
    md.core.ruler.push("mentions", _mentions)
    md.add_render_rule("mention", _render_mention)
    return md


_MD = _parser()


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        allowed_classes=CLASSES,
        url_schemes=SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )


def render(text: str, names: Mapping[str, tuple[int, ...]] | None = None) -> tuple[str, set[int]]:
    """The comment as safe HTML, and the ids of the members it mentions."""
    env: dict[str, Any] = {"names": names or {}}
    html = _MD.render(text, env)
    return sanitise(html), set(env.get("mentioned", ()))
