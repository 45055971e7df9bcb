"""The structure stage: pages -> documents, and each document's clause hierarchy.

A source holds one document or many: numbered compilation entries ("31.杭州市…意见"),
or documents one after another, each opening with a title block: red header (one body,
or several stacked beside 文件), 文号, normative code, one to five title lines ending in
a kind word (意见, 办法, 的通知 …). A notice that prints a 办法 (附件, then its title)
gives two documents, the 办法 linked to the notice (parent_doc_id). Clauses use every
numbering scheme policy texts use (pipeline/data/numbering.json: 第X章 / 第X节 / 第X条,
一、 / (一) / 1. or 1、 / (1) / ①, decimal outlines 3.2.P.1, 专栏 boxes); their depth
comes from nesting, so a document may start at any level or skip one. A closing block
(signature, date, 抄送, 印发) ends a document. Everything here works on the text of
physical lines, so a PDF, the flipbook export and a re-typeset edition give the same
documents and sections; page geometry is not needed. Document dates are filled later
from the `dates` table (`document_dates`), not found here a second time.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Iterator
from datetime import date
from importlib import resources

import regex

from . import patterns
from .numbers import parse_number
from .text import needs_space

log = logging.getLogger(__name__)

_WORDS = json.loads(resources.files("pipeline.data").joinpath("structure.json").read_text("utf-8"))


def _alternation(words) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


_SCHEMES = json.loads(resources.files("pipeline.data").joinpath("numbering.json").read_text("utf-8"))


@dataclass(frozen=True)
class Scheme:
    """One numbering scheme (第X条, 一、, (1), 3.2.P.1 …) as numbering.json describes it."""
    name: str
    rank: float
    title: str            # line | sentence | none
    pattern: regex.Pattern


def _scheme(spec: dict) -> Scheme:
    form = (spec["form"].replace("{cn}", _SCHEMES["cn_digits"])
            .replace("{article_not_before}", _alternation(_SCHEMES["article_not_before"]))
            .replace("{outline_not_before}", regex.escape(_SCHEMES["outline_not_before"])))
    return Scheme(spec["name"], spec["rank"], spec["title"], patterns.compile(form))


SCHEMES = [_scheme(s) for s in _SCHEMES["schemes"]]
# A heading may follow the end of a sentence on the same physical line in scraped
# text: "…网上公开。 (四)推进数字治理,打造城市管理新能级。"
MID_LINE = patterns.compile(rf"(?<=[。;!?])\s*(?=[{regex.escape(_SCHEMES['mid_line_starts'])}])")
# 一是 / 二是 inside a paragraph: items of that clause, never headings.
INLINE_ITEM = patterns.compile(_SCHEMES["inline_items"])

TITLE = patterns.compile(r"^(?P<seq>\d{1,3})[.、]\s*(?P<rest>[^。]+)$")
TITLE_CUE = patterns.compile(_alternation(_WORDS["title_cue"]))
# "…管理暂行办法(试行)" / "…行动计划(2023-2025年)": the kind word comes before the bracket.
TITLE_END = patterns.compile(rf"(?P<kind>{_alternation(_WORDS['title_end'])})(?:\([^()]{{1,20}}\))?$")
TITLE_LIKE = patterns.compile(r"^[^。,;:!?]{2,60}$")
PUBLISHED_BY = patterns.compile(rf"(?:{_alternation(_WORDS['publishing_verbs'])})")
# 文号: 杭政办函〔2021〕39 号, 中青办发[2005]13号, 鲁政发(2014)20号 (OCR and web copies
# print the year brackets every way), and government orders: 东莞市人民政府令第123号.
DOC_NUMBER = patterns.compile(
    rf"\p{{Han}}{{1,12}}[〔\[(【]\s?\d{{4}}\s?[〕\])】]\s?第?\s?\d+\s?号"
    rf"|\p{{Han}}{{2,20}}{_WORDS['order_word']}\s?第\s?\d+\s?号")
ORDER_ISSUER = patterns.compile(rf"^(?P<body>\p{{Han}}{{2,20}}?){_WORDS['order_word']}第")
CODE_LINE = patterns.compile(r"^[A-Z]{2,6}\d{0,3}-\d{4}-\d{3,6}$")
RED_HEADER = patterns.compile(rf"^\p{{Han}}{{2,30}}(?:{_alternation(_WORDS['red_header_end'])})$")
ISSUER = patterns.compile(rf"^[\p{{Han}}()]{{2,40}}?(?:{_alternation(_WORDS['issuer_end'])})$")
ISSUER_IN_TITLE = patterns.compile(r"^(?P<issuer>\p{Han}{2,30}?)(?:关于|印发|转发)")
ADDRESSEES = patterns.compile(r"^(?P<to>[^。]{2,150}):$")
ATTACHMENT = patterns.compile(rf"^{_WORDS['attachment_word']}\s?(?P<n>\d{{0,2}})$")
SELF_REFERENCE = patterns.compile(
    rf"^本(?:{_alternation(_WORDS['self_reference'])})(?:自|从|由|于|有效期|的解释)")
CLOSING_LINE = patterns.compile(
    rf"^(?:{_alternation(_WORDS['closing_lines'])}|(?:{_alternation(_WORDS['closing_prefixes'])}))")
DATE_LINE = patterns.compile(r"^[\d〇○零一二三四五六七八九十\s]{4,}年[\d〇○一二三四五六七八九十\s]{1,4}月(?:[\d〇○一二三四五六七八九十\s]{1,4}日?)?$")
PRINTED_LINE = patterns.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发$")
VALIDITY_YEARS = patterns.compile(r"有效期(?:为|是)?\s*(?P<n>[\d一二三四五六七八九十两]+)\s*年")
REPEAL = patterns.compile(r"废止|停止执行|不再执行")
# 本意见自印发之日起施行: in force from the day it was issued (its date is the issue date's)
ON_ISSUE = patterns.compile(r"自\s*(?:印发|发布|公布|颁布|下发|签发)\s*之\s*日\s*起\s*(?:施行|实施|执行|生效)")

SHORT_LINE = 0.9   # a line narrower than this share of its widest neighbour ends its paragraph
MAX_TITLE_LINES = 5


@dataclass(frozen=True, slots=True)     # frozen: _match_heading hands one instance to every line of the same text
class Heading:
    kind: str              # clause | box | table
    scheme: str            # numbering.json scheme name: chapter, article, cn_comma, outline, …
    rank: float            # the scheme's nominal depth (outline: 7 + depth / 100)
    number: int
    label: str             # as printed
    end: int = 0           # where the label ends in the line
    parts: tuple = ()      # an outline's components: 3.2.P.1 -> ("3", "2", "P", "1")


@dataclass(slots=True)
class Segment:
    """A physical line, or the part of one after a mid-line heading."""
    page: int
    text: str
    heading: Heading | None = None
    ends_paragraph: bool = False


@dataclass(slots=True)
class Section:
    kind: str                       # heading | clause | box | table | preamble | closing
    label: str | None
    title: str | None
    path: str
    level: int
    parent_path: str | None
    segments: list[Segment] = field(default_factory=list)
    text: str = ""
    marks: list[tuple[int, int]] = field(default_factory=list)   # (offset in text, page)
    order: int = 0                  # position in the document (sections.section_order)
    clause_path: str | None = None  # path of the innermost numbered clause (a box takes its parent's)
    heading: Heading | None = None

    def page_at(self, offset: int) -> int:
        i = bisect.bisect_right([o for o, _ in self.marks], offset) - 1
        return self.marks[max(i, 0)][1]


@dataclass(slots=True)
class Document:
    seq: int | None
    title: str | None
    partial: bool
    meta_lines: list[str] = field(default_factory=list)
    body: list[Segment] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    doc_id: str = ""
    attached: bool = False          # printed after a 附件 marker or by a notice that publishes it
    parent: "Document | None" = None


# ---------------------------------------------------------------- documents

def display_width(text: str) -> float:
    """Width in em: CJK and Chinese punctuation 1, digits, Latin letters and spaces 1/2
    (ASCII but ,:;()!? counted in C, not per character in Python: 4x faster)."""
    narrow = len(text.encode("ascii", "ignore")) - sum(text.count(ch) for ch in ",:;()!?")
    return len(text) - 0.5 * narrow


_LETTER_SPACE = patterns.compile(r"(?<=\p{Han})\s+(?=\p{Han})")


# The line predicates below are pure functions of a line's text, and split_documents asks
# them of one line several times (as the line, as the line before the next one, inside
# each joint red header's run): cached, the stage takes ~0.2 s CPU less on 500 pages.
_LINES_CACHED = 8192


@lru_cache(maxsize=_LINES_CACHED)
def _compact(text: str) -> str:
    """Letter-spaced display lines ("国 务 院", "总 则") without their spaces."""
    return _LETTER_SPACE.sub("", text.strip())


@lru_cache(maxsize=_LINES_CACHED)
def is_meta_line(text: str) -> bool:
    """Header lines that stand apart from the running text: red header, number, code."""
    text = text.strip()
    return bool(CODE_LINE.match(text) or RED_HEADER.match(_compact(text)) or DOC_NUMBER.fullmatch(text))


@lru_cache(maxsize=_LINES_CACHED)
def is_issuer_line(text: str) -> bool:
    return bool(ISSUER.match(_compact(text)))


@lru_cache(maxsize=_LINES_CACHED)
def is_boundary(text: str) -> bool:
    """Lines after which a new document may begin: header lines, the end of a closing
    block (date, 印发 line, (此件公开发布), 抄送), an attachment marker."""
    text = text.strip()
    return bool(is_meta_line(text) or DATE_LINE.match(text) or PRINTED_LINE.search(text)
                or CLOSING_LINE.match(text) or ATTACHMENT.match(text))


def title_lines(lines: list[tuple[int, str]], start: int) -> tuple[int | None, str | None, int]:
    """If lines[start] opens a numbered entry title, its seq, joined title and line count."""
    match = TITLE.match(lines[start][1])
    if not match:
        return None, None, 0
    title, count = match["rest"].strip(), 1
    while not TITLE_END.search(title) and count < MAX_TITLE_LINES and start + count < len(lines):
        nxt = lines[start + count][1]
        if ADDRESSEES.match(nxt) or is_meta_line(nxt) or _heading_at(nxt) or TITLE.match(nxt):
            break
        title += nxt.strip()
        count += 1
    # "…实施方案" ⏎ "的通知": a kind word at a line end need not end the title.
    longer, extra = title, count
    while TITLE_END.search(title) and extra < MAX_TITLE_LINES and start + extra < len(lines):
        nxt = lines[start + extra][1].strip()
        if not _title_like(nxt):
            break
        longer, extra = longer + _compact(nxt), extra + 1
        if TITLE_END.search(longer):
            title, count = longer, extra
    if not TITLE_CUE.search(title) or "。" in title:
        return None, None, 0
    return int(match["seq"]), title, count


def plain_title(lines: list[tuple[int, str]], start: int) -> tuple[str | None, int]:
    """An unnumbered title block at lines[start]: one to five short lines without sentence
    punctuation whose joined text ends in a kind word (意见, 办法, 的通知 …), with an
    optional bracketed line under it ("(试 行)"). The longest such block wins, so
    "…实施方案" ⏎ "的通知" is one title."""
    best, best_count, title = None, 0, ""
    for count in range(1, MAX_TITLE_LINES + 1):
        if start + count > len(lines):
            break
        line = lines[start + count - 1][1].strip()
        if not _title_like(line):
            break
        title += _compact(line)
        if TITLE_END.search(title):
            best, best_count = title, count
    if best is not None and start + best_count < len(lines):
        nxt = _compact(lines[start + best_count][1])
        if regex.fullmatch(r"\([\p{Han}]{1,6}\)", nxt):
            best, best_count = best + nxt, best_count + 1
    return best, best_count


def _title_like(line: str) -> bool:
    return bool(TITLE_LIKE.match(line)) and not (
        is_boundary(line) or _heading_at(line) or TITLE.match(line) or INLINE_ITEM.match(line))


#: Lines the document splitter may read ahead of the line it is at (a title of up to
#: MAX_TITLE_LINES, the 文号 lines under it, the addressee after it), and lines it keeps
#: before the document it is in (a red header above a title is read backwards).
LOOKAHEAD = 32
LOOKBEHIND = 64


class LineWindow:
    """The source's (page, line) pairs, indexed as one list, read from an iterator as
    the splitter reaches them and forgotten once they are behind it: the splitter of a
    5,000-page edition held every line (11 MB), now it holds a document's."""

    def __init__(self, lines: Iterable[tuple[int, str]]):
        self._source = iter(lines)
        self._lines: list[tuple[int, str]] = []
        self._base = 0                 # the index of _lines[0]
        self.first_text: int | None = None    # the first line that is not a header line
        self.ended = False

    def reach(self, i: int) -> bool:
        """Read lines up to LOOKAHEAD past line i; whether line i exists."""
        while not self.ended and len(self) <= i + LOOKAHEAD:
            line = next(self._source, None)
            if line is None:
                self.ended = True
            else:
                if self.first_text is None and not is_meta_line(line[1]):
                    self.first_text = len(self)
                self._lines.append(line)
        return i < len(self)

    def forget(self, before: int) -> None:
        """Let go of the lines before index `before`."""
        drop = min(max(before - self._base, 0), len(self._lines))
        del self._lines[:drop]
        self._base += drop

    @property
    def start(self) -> int:
        """The first index still held."""
        return self._base

    def __len__(self) -> int:          # the lines read so far (all of them once `ended`)
        return self._base + len(self._lines)

    def __getitem__(self, i):
        if isinstance(i, slice):
            start = self._base if i.start is None else max(i.start, self._base)
            stop = len(self) if i.stop is None else i.stop
            return self._lines[start - self._base:max(stop - self._base, 0)]
        if i < 0:
            i += len(self)
        if i < self._base:
            raise IndexError(f"line {i} was let go (the window starts at {self._base})")
        return self._lines[i - self._base]


def split_documents(lines: list[tuple[int, str]]) -> list[Document]:
    """Cut the source's lines into documents at their titles (iter_documents)."""
    return [doc for doc, _ in iter_documents(lines)]


def iter_documents(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[Document, int | None]]:
    """The source's documents in order, each with the page the next one starts on (None
    for the last), as soon as that next one is found.

    A title is a numbered compilation entry ("31.杭州市…意见"), or an unnumbered title
    block where a document can begin: at the top of the source, after header lines
    (red header, 文号, code), after the closing block of the document before, or after
    an 附件 marker. Header lines just above a title belong to it.
    """
    window = LineWindow(lines)
    links = _AttachmentLinker()
    last: tuple | None = None            # (first, index, seq, title, count) of the latest start
    i, last_seq = 0, 0

    def ended(bound: tuple, end: int) -> Document:
        first, index, seq, title, count = bound
        doc = _document(window[first:end], seq, title, index - first, count, partial=False)
        doc.attached = any(ATTACHMENT.match(t.strip()) for _, t in window[first:index])
        return links.link(doc)

    def started(index: int, seq, title, count: int) -> Iterator[tuple[Document, int]]:
        nonlocal last
        bound = _bound(window, index, seq, title, count, last)
        if last is None:
            lead = window[:bound[0]]
            if any(not is_meta_line(t) for _, t in lead):
                yield links.link(_document(lead, None, None, 0, 0, partial=True)), window[bound[0]][0]
        else:
            yield ended(last, bound[0]), window[bound[0]][0]
        last = bound
        window.forget(bound[0] - LOOKBEHIND)

    while window.reach(i):
        first_text = window.first_text if window.first_text is not None else len(window)
        seq, title, count = title_lines(window, i)
        if seq is not None and seq > last_seq:
            yield from started(i, seq, title, count)
            last_seq = seq
            i += count
            continue
        if _opens_untitled(window, i, last):
            yield from started(i, None, None, 0)
            i += 1
            continue
        if _may_start_document(window, i, first_text):
            title, count = plain_title(window, i)
            if title:
                yield from started(i, None, title, count)
                i += count
                continue
        i += 1
    if last is not None:
        yield ended(last, len(window)), None
    elif any(not is_meta_line(t) for _, t in window[:]):
        yield links.link(_document(window[:], None, None, 0, 0, partial=True)), None


def _bound(lines, index: int, seq, title, count: int, last: tuple | None) -> tuple:
    """(first line, title line, seq, title, title lines) of a document whose title is at
    `index`: header lines just above the title belong to it, unless they are the
    previous title's own lines."""
    first = index
    while first > lines.start:
        above = lines[first - 1][1].strip()
        if is_meta_line(above) or ATTACHMENT.match(above):
            first -= 1
        elif (run := _joint_red_header(lines, first - 1)):
            first -= run
        else:
            break
    if last is not None and first <= last[1] + last[4] - 1:
        first = index
    return first, index, seq, title, count


@lru_cache(maxsize=_LINES_CACHED)
def _is_file_word(text: str) -> bool:
    text = _compact(text)
    return text in _WORDS["red_header_end"] or bool(RED_HEADER.match(text))


def _joint_red_header(lines, i: int) -> int:
    """Length of a joint red header ending at lines[i]: issuer lines stacked around the
    word 文件, which the reader puts before, between or after them
    ("中共河北雄安新区工作委员会" / "文件" / "河北雄安新区管理委员会"); 0 if there is none."""
    j = i
    while j >= lines.start and (is_issuer_line(lines[j][1]) or _is_file_word(lines[j][1])):
        j -= 1
    run = [t for _, t in lines[j + 1:i + 1]]
    return len(run) if any(map(_is_file_word, run)) and any(map(is_issuer_line, run)) else 0


def _may_start_document(lines, i: int, first_text: int) -> bool:
    if i <= first_text:                 # only header lines above: the top of the source
        return True
    prev = lines[i - 1][1].strip()
    if is_boundary(prev) or _is_file_word(prev) or _joint_red_header(lines, i - 1):
        return True
    # After a paragraph's end, a title needs a header line, an addressee or a first
    # chapter or article under it: compilations without an index print the next
    # document right after the last article of the one before.
    if prev.endswith(("。", ")", "”")):
        _, count = plain_title(lines, i)
        if count and lines[i - 1][0] != lines[i][0]:
            return True                  # a title at the top of a page, after a paragraph's end
        if count and i + count < len(lines):
            nxt = lines[i + count][1].strip()
            head = _match_heading(nxt)
            return bool(is_meta_line(nxt) or ADDRESSEES.match(nxt) or _wrapped_addressee(lines, i + count)
                        or (head and head.scheme in ("chapter", "article") and head.number == 1))
    return False


def _opens_untitled(lines, i: int, last: tuple | None) -> bool:
    """A 文号 line that stands outside any title block and has no title after it opens a
    document without a title (a government order: 东莞市人民政府令第123号 ⏎ 《…》现予发布)."""
    text = lines[i][1].strip()
    if not DOC_NUMBER.fullmatch(text):
        return False
    if last is not None and last[1] + last[4] >= i - 2:
        return False                       # the number printed under the title just read
    for k in range(i + 1, min(i + 5, len(lines))):
        if title_lines(lines, k)[0] is not None or plain_title(lines, k)[0]:
            return False
        if not (is_meta_line(lines[k][1]) or _joint_red_header(lines, k)):
            break
    return True


def _wrapped_addressee(lines, i: int) -> bool:
    text = ""
    for _, line in lines[i:i + 3]:
        text += line.strip()
        if "。" in text:
            return False
        if text.endswith(":"):
            return True
    return False


class _AttachmentLinker:
    """A document printed by a notice ("关于印发《…办法》的通知", then 附件 and the 办法)
    is a document of its own whose parent is that notice: the latest document before it
    that is no one's attachment."""

    def __init__(self):
        self.seen = False
        self.notice: Document | None = None
        self.notice_body = ""

    def link(self, doc: Document) -> Document:
        if self.seen and doc.title is not None and doc.seq is None:
            self._link(doc)
        self.seen = True
        if doc.parent is None:
            self.notice, self.notice_body = doc, "".join(seg.text.strip() for seg in doc.body)
        return doc

    def _link(self, doc: Document) -> None:
        notice = self.notice
        if notice is None or notice.partial:
            return
        bare = regex.sub(r"\([^()]{1,20}\)$", "", doc.title)
        printed = notice.title is not None and (
            f"《{bare}" in notice.title or bool(PUBLISHED_BY.search(notice.title) and bare in notice.title))
        # "现将《…办法》印发给你们" / "《…办法》已经市人民政府同意,现予发布": published here, not cited.
        name = regex.escape(bare)
        published = bool(regex.search(rf"《{name}(?:\([^()]{{1,20}}\))?》[^《]{{0,30}}?(?:{PUBLISHED_BY.pattern})"
                                      rf"|(?:{PUBLISHED_BY.pattern})《{name}", self.notice_body))
        if doc.attached or printed or published:
            doc.parent, doc.attached = notice, True


def _document(lines, seq, title, title_at, title_count, partial) -> Document:
    doc = Document(seq=seq, title=title, partial=partial)
    for i, (page, text) in enumerate(lines):
        doc.pages.append(page)
        if title_at <= i < title_at + title_count and title is not None:
            continue                 # the title lines: kept as Document.title
        if is_meta_line(text) or ATTACHMENT.match(text.strip()) or (i < title_at and title is not None):
            doc.meta_lines.append(text)
        else:
            doc.body.append(Segment(page, text))
    _merge_addressees(doc)
    return doc


def _merge_addressees(doc: Document) -> None:
    """A wrapped addressee line ("各县(区)人民政府,高新区、工业园区管委会," ⏎ "市人民政府各部门:")
    is one segment."""
    for k in range(min(3, len(doc.body))):
        text = "".join(s.text.strip() for s in doc.body[:k + 1])
        if "。" in text or len(text) > 150 or _heading_at(doc.body[k].text.strip()):
            return
        if text.endswith(":"):
            doc.body[:k + 1] = [Segment(doc.body[0].page, text, ends_paragraph=True)]
            return


# ---------------------------------------------------------------- headings

class HeadingSequence:
    """Numbered headings come in order; that is how false ones are told apart.

    "(五)" is a heading when the last (…) was (四), or when it restarts at (一)
    under a new 二、; a "1:1", "3.5", "2.0 建设" or a list item inside a sentence is not.
    A decimal outline (3.2.P.1) continues the outline before it: a sibling, a first
    child, or a sibling of an ancestor.
    """

    def __init__(self, partial: bool, where: str):
        self.last: dict[float, int] = {}
        self.restart: dict[float, bool] = {}
        self.outline: tuple = ()
        self.partial = partial
        self.where = where

    def accept(self, heading: Heading, at_line_start: bool, page: int) -> bool:
        if heading.scheme == "outline":
            return self._accept_outline(heading, at_line_start)
        rank, number, label = heading.rank, heading.number, heading.label
        prev = self.last.get(rank)
        if prev is None:
            ok = number == 1 or self.partial or (at_line_start and number <= 3)
            if ok and number != 1 and not self.partial:
                log.warning("%s: page %d: heading %s is not the first of its level", self.where, page, label)
        elif number == prev + 1:
            ok = True
        elif number == 1 and self.restart.get(rank):
            ok = True
        elif at_line_start and prev + 1 < number <= prev + 3:
            log.warning("%s: page %d: heading sequence gap before %s", self.where, page, label)
            ok = True
        else:
            ok = False
        if ok:
            self._opened(rank)
            self.last[rank] = number
        return ok

    def peek(self, heading: Heading) -> bool:
        """Whether a mid-line heading is exactly the next in sequence (strict)."""
        if heading.kind != "clause" or heading.scheme == "outline":
            return False
        prev = self.last.get(heading.rank)
        if prev is None and self.partial:
            return True     # an excerpt's first document may start in the middle of a clause
        return (prev is not None and heading.number == prev + 1) or (
            heading.number == 1 and self.restart.get(heading.rank, False))

    def _opened(self, rank: float) -> None:
        self.restart[rank] = False
        for deeper in {s.rank for s in SCHEMES} | set(self.last):
            if deeper > rank:
                self.restart[deeper] = True
        if rank < 7:
            self.outline = ()

    def _accept_outline(self, heading: Heading, at_line_start: bool) -> bool:
        parts, last = heading.parts, self.outline
        if not at_line_start:
            return False
        if not last:
            ok = _first(parts[-1]) or self.partial
        elif len(parts) == len(last) + 1:
            ok = parts[:-1] == last and _first(parts[-1])
        elif len(parts) <= len(last):
            ok = parts[:-1] == last[:len(parts) - 1] and _follows(last[len(parts) - 1], parts[-1])
        else:
            ok = False
        if ok:
            self.outline = parts
        return ok


def _first(part: str) -> bool:
    return part == "1" or part.isalpha()


def _follows(prev: str, part: str) -> bool:
    if prev.isdigit() and part.isdigit():
        return int(prev) < int(part) <= int(prev) + 2
    return part != prev


def find_headings(doc: Document, where: str) -> list[Segment]:
    """The body as segments, with numbered headings and boxes marked (split mid-line).

    Pieces of one physical line are judged left to right, so in
    "(二)……。 (三)……。" the (三) is checked against the (二) just accepted."""
    sequence = HeadingSequence(doc.partial, where)
    out: list[Segment] = []
    for seg in doc.body:
        text = seg.text
        heading = _match_heading(text)
        if heading and heading.kind in ("clause", "table") and not sequence.accept(heading, True, seg.page):
            heading = None
        piece_start = 0
        for m in MID_LINE.finditer(text):
            cut = m.end()
            found = _match_heading(text[cut:])
            if cut > piece_start and found and sequence.peek(found):
                sequence.accept(found, False, seg.page)
                out.append(Segment(seg.page, text[piece_start:cut].rstrip(), heading, ends_paragraph=True))
                piece_start, heading = cut, found
        out.append(Segment(seg.page, text[piece_start:], heading, ends_paragraph=seg.ends_paragraph))
    return out


@lru_cache(maxsize=_LINES_CACHED)
def _match_heading(text: str) -> Heading | None:
    for scheme in SCHEMES:
        if m := scheme.pattern.match(text):
            kind = scheme.name if scheme.name in ("box", "table") else "clause"
            if scheme.name == "outline":
                parts = tuple(p.strip() for p in m["num"].split("."))
                return Heading(kind, scheme.name, scheme.rank + len(parts) / 100,
                               int(parts[-1]) if parts[-1].isdigit() else 0,
                               regex.sub(r"\s", "", m["label"]), m.end("label"), parts)
            if scheme.name == "circled":
                number = ord(m["num"]) - ord("①") + 1
            else:
                number = parse_number(regex.sub(r"\s", "", m["num"]))
            if number is not None:
                return Heading(kind, scheme.name, scheme.rank, int(number), m["label"], m.end("label"))
    return None


def _heading_at(text: str) -> bool:
    return _match_heading(text) is not None


def inline_items(text: str) -> list[dict]:
    """一是 / 二是 items inside a paragraph, in order: label, number and offset."""
    return [{"label": m["label"], "number": parse_number(m["label"][:-1]), "offset": m.start()}
            for m in INLINE_ITEM.finditer(text)]


# ---------------------------------------------------------------- sections

def path_part(heading: Heading) -> str:
    """Label as a path component: 一、 -> 一, (五) -> (五), 1. -> 1, 1、 -> 1, 专栏 9 -> 专栏9,
    第 三 条 -> 第三条."""
    return heading.label.rstrip("、.").replace(" ", "")


def heading_title(text: str, heading: Heading) -> str | None:
    """'(五)支持创新药品研发。对已在…' -> '支持创新药品研发'; '第一章 总 则' -> '总则';
    '第一条 为…' -> None (an article has no title)."""
    scheme = next(s for s in SCHEMES if s.name == heading.scheme)
    rest = text[heading.end:].split("\n", 1)[0].strip()
    if scheme.title == "none":
        return None
    if scheme.title == "short_line":     # 第一条  目的依据 (a titled article) / 第一条 为加强… (none)
        return rest if rest and len(rest) <= 20 and not regex.search(r"[。,;:]", rest) else None
    if scheme.title == "line":
        return (_compact(rest) if heading.scheme in ("chapter", "part") else rest)[:60] or None
    title = rest.split("。", 1)[0].strip()
    return title[:60] or None


def build_sections(doc: Document, segments: list[Segment]) -> list[Section]:
    sections: list[Section] = []
    stack: list[tuple[float, str]] = []      # (rank, path) of open headings
    closing = _closing_start(segments)
    lead_kind = "clause" if doc.partial else "preamble"
    current = Section(lead_kind, None, None, "_lead" if doc.partial else "preamble", 1, None)
    seen: set[str] = set()
    for i, seg in enumerate(segments):
        if i == closing:
            sections.append(current)
            current = Section("closing", None, None, "closing", 1, None)
        elif seg.heading and (closing is None or i < closing):
            sections.append(current)
            h = seg.heading
            while stack and stack[-1][0] >= h.rank:
                stack.pop()
            parent = stack[-1][1] if stack else None
            path = f"{parent}/{path_part(h)}" if parent else path_part(h)
            if path in seen:          # a numbering that restarts in one document (an appendix)
                path = f"{path}~{sum(p.split('~')[0] == path for p in seen) + 1}"
            seen.add(path)
            kind = h.kind
            current = Section(kind, h.label, None, path, len(stack) + 1, parent)
            current.heading = h
            stack.append((h.rank, path))
        current.segments.append(seg)
    sections.append(current)
    sections = [s for s in sections if s.segments]
    by_path = {s.path: s for s in sections}
    for order, s in enumerate(sections):
        _join(s)
        if s.heading is not None:
            s.title = heading_title(s.text, s.heading)
        if s.kind == "clause" and s.label and not _own_text(s) and not s.text.rstrip().endswith("。"):
            s.kind = "heading"      # a heading line with no text of its own: "一、总体要求"
        s.order = order
        node = s
        while node is not None and node.kind in ("box", "table"):
            node = by_path.get(node.parent_path) if node.parent_path else None
        s.clause_path = node.path if node is not None and node.kind in ("clause", "heading") else None
    return sections


def _own_text(s: Section) -> str:
    rest = regex.sub(r"\s", "", s.text).replace(regex.sub(r"\s", "", s.label), "", 1)
    if s.title:
        rest = rest.replace(regex.sub(r"\s", "", s.title), "", 1)
    return rest.replace("。", "")


def _closing_start(segments: list[Segment]) -> int | None:
    """Index of the first segment of the closing block, after the last heading: the
    signature (every issuer line of a joint one) above the date, 本办法自…, 抄送 …"""
    last_heading = max((i for i, s in enumerate(segments) if s.heading), default=-1)
    for i in range(last_heading + 1, len(segments)):
        text = segments[i].text.strip()
        nxt = segments[i + 1].text.strip() if i + 1 < len(segments) else ""
        if SELF_REFERENCE.match(text) or CLOSING_LINE.match(text) or PRINTED_LINE.search(text):
            return i
        if is_issuer_line(text) and (DATE_LINE.match(nxt) or _signature_ends(segments, i)):
            return i
        if DATE_LINE.match(text) and i == len(segments) - 1:
            return i
    return None


def _signature_ends(segments: list[Segment], i: int) -> bool:
    """segments[i] opens a run of issuer lines that ends at a date line."""
    j = i
    while j < len(segments) and is_issuer_line(segments[j].text):
        j += 1
    return j > i + 1 and j < len(segments) and bool(DATE_LINE.match(segments[j].text.strip()))


def mark_paragraph_ends(segments: list[Segment]) -> None:
    """A line narrower than its neighbours ends its paragraph.

    Inside a paragraph every line runs to the right margin, whatever the line width of
    the edition or the box it stands in; the last line stops short ("打造国家级智慧文旅样板区。").
    Comparing with the neighbours, not with one width for the whole file, keeps a
    re-typeset document at another width from breaking into one paragraph per line.
    """
    widths = [display_width(s.text) for s in segments]
    for i, seg in enumerate(segments):
        near = max(widths[max(i - 1, 0):i] + widths[i + 1:i + 2] or [0])
        if widths[i] < SHORT_LINE * near:
            seg.ends_paragraph = True


def _join(section: Section) -> None:
    """Join the section's lines into paragraphs, keeping a page mark per line."""
    text, marks = "", []
    prev: Segment | None = None
    for seg in section.segments:
        piece = seg.text.strip()
        if not piece:
            continue
        if prev is not None:
            if prev.ends_paragraph or is_standalone(seg.text) or (
                    section.kind == "closing" and (is_issuer_line(seg.text) or is_issuer_line(prev.text))):
                text += "\n"
            elif needs_space(text[-1], piece[0]):
                text += " "
        if not marks or marks[-1][1] != seg.page:
            marks.append((len(text), seg.page))
        text += piece
        prev = seg
    section.text, section.marks = text, marks or [(0, section.segments[0].page)]


def is_standalone(text: str) -> bool:
    """Lines that always start a paragraph of their own."""
    text = text.strip()
    return bool(ADDRESSEES.match(text) or CLOSING_LINE.match(text) or DATE_LINE.match(text)
                or SELF_REFERENCE.match(text) or _heading_at(text))


# ---------------------------------------------------------------- metadata

def normalize_doc_number(number: str) -> str:
    """One form of a 文号: 鲁政发(2014)20 号 / [2014] / 【2014】 -> 鲁政发〔2014〕20号."""
    number = regex.sub(r"\s+", "", number)
    return regex.sub(r"[\[(【](\d{4})[\])】]", r"〔\1〕", number)


def doc_identity(doc_number: str | None, norm_code: str | None, title: str | None, text: str) -> str:
    """doc_id: the 文号, else the normative code, else the normalized title, else (an
    excerpt's first, partial document) a hash of its opening text. Never its position
    or page: a scanned document's title is cut where the scan begins, its code is not."""
    if doc_number:
        return normalize_doc_number(doc_number)
    if norm_code:
        return norm_code
    if title:
        return regex.sub(r"[\s\p{P}]+", "", title)
    han = "".join(regex.findall(r"\p{Han}", text))[:80]
    return "partial-" + hashlib.sha1(han.encode("utf-8")).hexdigest()[:12]


DATE_FIELDS = ("issue_date", "effective_date", "expiry_date")
_DERIVED = {"effective_date": "effective_derived", "expiry_date": "expiry_derived"}


def document_dates(documents: list[dict], date_rows: list[dict]) -> list[dict]:
    """documents rows with issue / effective / expiry dates filled from the `dates` rows
    the extract stage found (closing block first, then text order), an expiry computed
    from 有效期为 N 年, and an attached document's missing dates taken from the notice
    that prints it."""
    by_doc: dict[str, list[dict]] = {}
    for row in date_rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    out, by_id = [], {}
    for doc in documents:
        rows = by_doc.get(doc["doc_id"], [])
        rows = [r for r in rows if r["section_id"].endswith("/closing")] + \
               [r for r in rows if not r["section_id"].endswith("/closing")]
        found = {"issue": None, "effective": None, "expiry": None, "printed": None}
        for mention in rows:
            role = mention["role"]
            if role in found and found[role] is None and mention.get("precision") == "day":
                found[role] = mention["date_start"]
        effective, effective_derived = found["effective"], False
        issued = found["printed"] or found["issue"]       # 自印发之日起: the 印发 date, else the signature's
        if effective is None and issued is not None and ON_ISSUE.search(doc["text"]):
            effective, effective_derived = issued, True
        expiry, derived = found["expiry"], False
        if expiry is None and effective is not None and (m := VALIDITY_YEARS.search(doc["text"])):
            years = parse_number(m["n"])
            if years is not None:
                expiry, derived = _add_years(effective, int(years)), True
        row = {**doc, "issue_date": found["issue"] or found["printed"], "effective_date": effective,
               "effective_derived": effective_derived, "expiry_date": expiry, "expiry_derived": derived}
        parent = by_id.get(doc.get("parent_doc_id"))
        if parent is not None:
            for name in DATE_FIELDS:
                if row[name] is None and parent[name] is not None:
                    row[name] = parent[name]
                    if name in _DERIVED:
                        row[_DERIVED[name]] = parent[_DERIVED[name]]
        by_id[row["doc_id"]] = row
        out.append(row)
    return out


def _add_years(start: date, years: int) -> date:
    """The last day of a validity of `years` years from `start` (2020-10-09 + 3 -> 2023-10-08)."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:          # 29 February
        end = start.replace(year=start.year + years, day=28)
    return date.fromordinal(end.toordinal() - 1)


# ---------------------------------------------------------------- tables

class _PagesSoFar:
    """The page numbers of a source as its pages stream past, and between(lo, hi): the
    numbers with lo <= p < hi, in their order. Bisected while the pages come in order
    (a PDF's always do): a scan of every page per document grows with pages x documents
    (5,000 pages of 500 documents: 5 million steps)."""

    def __init__(self):
        self.numbers: list[int] = []
        self.with_text: set[int] = set()
        self.ordered = True

    def add(self, page: dict) -> None:
        if self.numbers and page["page"] <= self.numbers[-1]:
            self.ordered = False
        self.numbers.append(page["page"])
        if page["has_text_layer"]:
            self.with_text.add(page["page"])

    def between(self, lo: int, hi: int) -> list[int]:
        if self.ordered:
            return self.numbers[bisect.bisect_left(self.numbers, lo):bisect.bisect_left(self.numbers, hi)]
        return [p for p in self.numbers if lo <= p < hi]


def structure_tables(pages: list[dict], edition: str, source: str) -> tuple[list[dict], list[dict], list[Document]]:
    """Rows of `documents` and `sections`, and the Documents (for the extract stage).

    The date columns of `documents` stay empty here: `document_dates` fills them from the
    `dates` table once the extract stage has found the dates."""
    doc_rows, section_rows, docs = [], [], []
    for doc_row, sections, doc in structure_rows(pages, edition, source):
        doc_rows.append(doc_row)
        section_rows += sections
        docs.append(doc)
    return doc_rows, section_rows, docs


def structure_rows(pages: Iterable[dict], edition: str, source: str) -> Iterator[tuple[dict, list[dict], Document]]:
    """Each document's `documents` row, `sections` rows and Document, from `pages` rows
    read as the documents need them: the build streams an edition through, holding a
    document at a time (structure_tables collects them)."""
    known = _PagesSoFar()

    def lines():
        for p in pages:
            known.add(p)
            if p.get("kind") != "toc":
                for line in p["text"].split("\n"):
                    if line.strip():
                        yield p["page"], line.strip()

    issuers_of: dict[str, list[str]] = {}
    ids: dict[str, int] = {}
    found = False
    for doc, next_start in iter_documents(lines()):
        found = True
        segments = find_headings(doc, source)
        mark_paragraph_ends(segments)
        doc.sections = build_sections(doc, segments)
        text, offsets = "", []
        for s in doc.sections:
            if text:
                text += "\n"
            offsets.append(len(text))
            text += s.text
        doc_number = next((normalize_doc_number(m.strip()) for m in doc.meta_lines
                           if DOC_NUMBER.fullmatch(m.strip())), None)
        norm_code = next((m.strip() for m in doc.meta_lines if CODE_LINE.match(m.strip())), None)
        closing = next((s.text for s in doc.sections if s.kind == "closing"), "")
        doc.doc_id = doc_identity(doc_number, norm_code, doc.title, text)
        ids[doc.doc_id] = ids.get(doc.doc_id, 0) + 1
        if ids[doc.doc_id] > 1:            # the same notice printed twice in one source
            doc.doc_id = f"{doc.doc_id}#{ids[doc.doc_id]}"
        # A document runs until the next one starts, across any image-only pages.
        if next_start is None:
            next_start = known.numbers[-1] + 1
        page_end = max(known.between(doc.pages[-1], next_start) or [doc.pages[-1]])
        body_pages = {seg.page for seg in doc.body}
        scanned = [p for p in known.between(doc.pages[0], page_end + 1) if p not in known.with_text]
        issuers = _issuers(doc, closing)
        if not issuers and doc_number and (m := ORDER_ISSUER.match(doc_number)):
            issuers = [m["body"]]            # 东莞市人民政府令第123号 -> 东莞市人民政府
        if not issuers and doc.parent is not None:     # a 办法 printed by a notice: the notice's bodies
            issuers = issuers_of.get(doc.parent.doc_id, [])
        red_header = _red_header(doc)
        issuers_of.setdefault(doc.doc_id, issuers)
        doc_row = {
            "edition": edition, "doc_id": doc.doc_id, "seq": doc.seq, "title": doc.title,
            "doc_type": (m["kind"] if doc.title and (m := TITLE_END.search(doc.title)) else None),
            "issuer": issuers[0] if issuers else None, "issuers": issuers,
            "doc_number": doc_number, "norm_code": norm_code,
            "parent_doc_id": doc.parent.doc_id if doc.parent is not None else None,
            "addressees": _addressees(doc),
            "issue_date": None, "effective_date": None, "effective_derived": False, "expiry_date": None,
            "expiry_derived": False,
            "repeals": _repeals(text), "page_start": doc.pages[0], "page_end": page_end,
            "text": text, "partial": doc.partial,
            "scanned_body": bool(scanned) and not any(p in body_pages for p in scanned),
            "scanned_pages": scanned, "section_count": len(doc.sections),
            "red_header": red_header,
        }
        if doc.title and not doc.body:
            log.warning("%s: page %d: document %s has a title but no text (scanned?)",
                        source, doc.pages[0], doc.seq if doc.seq is not None else doc.title)
        sections = []
        for s, start in zip(doc.sections, offsets):
            sections.append({
                "edition": edition, "section_id": f"{doc.doc_id}/{s.path}", "doc_id": doc.doc_id,
                "parent_id": f"{doc.doc_id}/{s.parent_path}" if s.parent_path else None,
                "level": s.level, "kind": s.kind, "label": s.label, "title": s.title,
                "path": s.path, "clause_path": s.clause_path, "section_order": s.order, "text": s.text,
                "page_start": s.marks[0][1], "page_end": s.marks[-1][1],
                "char_start": start, "char_end": start + len(s.text),
                "page_marks": [{"offset": o, "page": p} for o, p in s.marks],
                "items": [i["label"] for i in inline_items(s.text)],
            })
        yield doc_row, sections, doc
    if not found:
        log.warning("%s: no documents found", source)


def _red_header(doc: Document) -> str | None:
    """The letterhead: "杭州市人民政府办公厅文件", or a joint one (issuer lines stacked
    beside 文件) as its bodies and 文件 joined with spaces."""
    lines = [_compact(m) for m in doc.meta_lines]
    for i, line in enumerate(lines):
        if _is_file_word(line):
            bodies = [h for h in lines if is_issuer_line(h) and not _is_file_word(h)]
            return " ".join(bodies + [line]) if bodies else line
    return None


def _issuers(doc: Document, closing: str) -> list[str]:
    """The signature above the date in the closing block (every line of a joint one),
    else the red header's bodies, else the title's opening."""
    raw = closing.split("\n")
    lines = [_compact(line) for line in raw]
    for k, line in enumerate(lines):
        if DATE_LINE.match(line) and k and is_issuer_line(lines[k - 1]):
            first = k - 1
            while first > 0 and is_issuer_line(lines[first - 1]):
                first -= 1
            return [body for line in raw[first:k] for body in _bodies(line)]
    header = [_compact(m) for m in doc.meta_lines]
    for i, line in enumerate(header):
        if _is_file_word(line):
            bodies = [h for h in header if is_issuer_line(h) and not _is_file_word(h)]
            own = regex.sub(rf"(?:{_alternation(_WORDS['red_header_end'])})$", "", line)
            if own and is_issuer_line(own):
                bodies.append(own)
            if bodies:
                return bodies
    if doc.title and (m := ISSUER_IN_TITLE.match(doc.title)):
        return [m["issuer"]]
    return []


def _bodies(line: str) -> list[str]:
    """One signature line: "福建省科学技术厅 福建省工业和信息化厅" (two bodies side by side)
    or one letter-spaced body ("国 务 院")."""
    parts = line.split()
    if len(parts) > 1 and all(is_issuer_line(p) for p in parts):
        return parts
    return [_compact(line)]


def _addressees(doc: Document) -> str | None:
    for seg in doc.body[:3]:
        if m := ADDRESSEES.match(seg.text.strip()):
            return m["to"]
    return None


def _repeals(text: str) -> list[str]:
    out: list[str] = []
    for sentence in regex.split(r"(?<=。)", text):
        if REPEAL.search(sentence):
            out += [n for n in map(normalize_doc_number, DOC_NUMBER.findall(sentence)) if n not in out]
    return out
