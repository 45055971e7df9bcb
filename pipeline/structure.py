"""The structure stage: pages -> documents, and each document's clause hierarchy.

A compilation is a run of numbered documents ("31.杭州市人民政府办公厅关于…"), each
with optional header lines above its title (red header, document number, normative
code), a preamble, numbered clauses (一、 / (一) / 1.), 专栏 boxes, and a closing
block (effective-date paragraph, signature, 抄送, 印发). Everything here works on
the text of physical lines, so a PDF, the flipbook export and a re-typeset edition
give the same documents and sections; page geometry is not needed.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

import regex

from .numbers import parse_number
from .text import needs_space

log = logging.getLogger(__name__)

_WORDS = json.loads(resources.files("pipeline.data").joinpath("structure.json").read_text("utf-8"))


def _alternation(words) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


CN = "一二三四五六七八九十"
LABELS = {  # rank: pattern of a label at the start of a (part of a) line
    1: regex.compile(rf"(?P<label>(?P<num>[{CN}]{{1,3}})、)(?=[\p{{Han}}“《])"),
    2: regex.compile(rf"(?P<label>\((?P<num>[{CN}]{{1,4}})\))(?=[\p{{Han}}“《])"),
    3: regex.compile(r"(?P<label>(?P<num>\d{1,2})\.)(?=[\p{Han}“《])"),
}
BOX = regex.compile(rf"(?P<label>{_WORDS['box_word']}\s*(?P<num>\d{{1,3}}))(?:\s+|$)")
# A heading may follow the end of a sentence on the same physical line in scraped
# text: "…网上公开。 (四)推进数字治理,打造城市管理新能级。"
MID_LINE = regex.compile(r"(?<=[。;!?])\s*(?=[(一二三四五六七八九十])")

TITLE = regex.compile(r"^(?P<seq>\d{1,3})[.、]\s*(?P<rest>[^。]+)$")
TITLE_CUE = regex.compile(_alternation(_WORDS["title_cue"]))
TITLE_END = regex.compile(rf"(?:{_alternation(_WORDS['title_end'])})$")
DOC_NUMBER = regex.compile(r"\p{Han}{1,12}〔\d{4}〕\s*\d+\s*号")
CODE_LINE = regex.compile(r"^[A-Z]{2,6}\d{0,3}-\d{4}-\d{3,6}$")
RED_HEADER = regex.compile(rf"^\p{{Han}}{{2,24}}(?:{_alternation(_WORDS['red_header_end'])})$")
ISSUER = regex.compile(rf"^[\p{{Han}}()]{{2,40}}?(?:{_alternation(_WORDS['issuer_end'])})$")
ISSUER_IN_TITLE = regex.compile(r"^(?P<issuer>\p{Han}{2,30}?)(?:关于|印发|转发)")
ADDRESSEES = regex.compile(r"^(?P<to>[^。]{2,80}):$")
SELF_REFERENCE = regex.compile(
    rf"^本(?:{_alternation(_WORDS['self_reference'])})(?:自|从|由|于|有效期|所称|的解释)")
CLOSING_LINE = regex.compile(
    rf"^(?:{_alternation(_WORDS['closing_lines'])}|(?:{_alternation(_WORDS['closing_prefixes'])}))")
DATE_LINE = regex.compile(r"^[\d〇零一二三四五六七八九十\s]{4,}年[\d〇一二三四五六七八九十\s]{1,4}月(?:[\d〇一二三四五六七八九十\s]{1,4}日?)?$")
PRINTED_LINE = regex.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发$")
VALIDITY_YEARS = regex.compile(r"有效期(?:为|是)?\s*(?P<n>[\d一二三四五六七八九十两]+)\s*年")
REPEAL = regex.compile(r"废止|停止执行|不再执行")

SHORT_LINE = 0.9   # a line narrower than this share of its widest neighbour ends its paragraph


@dataclass
class Heading:
    kind: str              # clause | box
    rank: int              # 1 一、  2 (一)  3 1.  4 专栏
    number: int
    label: str             # as printed


@dataclass
class Segment:
    """A physical line, or the part of one after a mid-line heading."""
    page: int
    text: str
    heading: Heading | None = None
    ends_paragraph: bool = False


@dataclass
class Section:
    kind: str                       # heading | clause | box | preamble | closing
    label: str | None
    title: str | None
    path: str
    level: int
    parent_path: str | None
    segments: list[Segment] = field(default_factory=list)
    text: str = ""
    marks: list[tuple[int, int]] = field(default_factory=list)   # (offset in text, page)

    def page_at(self, offset: int) -> int:
        i = bisect.bisect_right([o for o, _ in self.marks], offset) - 1
        return self.marks[max(i, 0)][1]


@dataclass
class Document:
    seq: int | None
    title: str | None
    partial: bool
    meta_lines: list[str] = field(default_factory=list)
    body: list[Segment] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    doc_id: str = ""


# ---------------------------------------------------------------- documents

def display_width(text: str) -> float:
    """Width in em: CJK and Chinese punctuation 1, digits, Latin letters and spaces 1/2."""
    return sum(0.5 if (ch.isascii() and ch not in ",:;()!?") else 1.0 for ch in text)


def is_meta_line(text: str) -> bool:
    """Header lines that stand apart from the running text: red header, number, code."""
    return bool(CODE_LINE.match(text) or RED_HEADER.match(text) or DOC_NUMBER.fullmatch(text.strip()))


def title_lines(lines: list[tuple[int, str]], start: int) -> tuple[int | None, str | None, int]:
    """If lines[start] opens a document title, its seq, joined title and line count."""
    match = TITLE.match(lines[start][1])
    if not match:
        return None, None, 0
    title, count = match["rest"].strip(), 1
    while not TITLE_END.search(title) and count < 4 and start + count < len(lines):
        nxt = lines[start + count][1]
        if ADDRESSEES.match(nxt) or is_meta_line(nxt) or _heading_at(nxt) or TITLE.match(nxt):
            break
        title += nxt.strip()
        count += 1
    if not TITLE_CUE.search(title) or "。" in title:
        return None, None, 0
    return int(match["seq"]), title, count


def _heading_at(text: str) -> bool:
    return any(p.match(text) for p in LABELS.values()) or bool(BOX.match(text))


def split_documents(lines: list[tuple[int, str]]) -> list[Document]:
    """Cut the edition's lines into documents at their numbered titles."""
    starts: list[tuple[int, int, str, int]] = []    # line index, seq, title, title lines
    i, last_seq = 0, 0
    while i < len(lines):
        seq, title, count = title_lines(lines, i)
        if seq is not None and seq > last_seq:
            starts.append((i, seq, title, count))
            last_seq = seq
            i += count
        else:
            i += 1
    docs: list[Document] = []
    # Header lines (red header, number, code) just above a title belong to it.
    bounds = []
    for index, seq, title, count in starts:
        first = index
        while first > 0 and is_meta_line(lines[first - 1][1]):
            first -= 1
        bounds.append((first, index, seq, title, count))
    lead_end = bounds[0][0] if bounds else len(lines)
    if any(not is_meta_line(t) for _, t in lines[:lead_end]):
        docs.append(_document(lines[:lead_end], None, None, 0, 0, partial=True))
    for k, (first, index, seq, title, count) in enumerate(bounds):
        end = bounds[k + 1][0] if k + 1 < len(bounds) else len(lines)
        docs.append(_document(lines[first:end], seq, title, index - first, count, partial=False))
    return docs


def _document(lines, seq, title, title_at, title_count, partial) -> Document:
    doc = Document(seq=seq, title=title, partial=partial)
    for i, (page, text) in enumerate(lines):
        doc.pages.append(page)
        if title_at <= i < title_at + title_count and title is not None:
            continue                 # the title lines: kept as Document.title
        if is_meta_line(text):
            doc.meta_lines.append(text)
        else:
            doc.body.append(Segment(page, text))
    return doc


# ---------------------------------------------------------------- headings

class HeadingSequence:
    """Numbered headings come in order; that is how false ones are told apart.

    "(五)" is a heading when the last (…) was (四), or when it restarts at (一)
    under a new 二、; a "1:1", "3.5", "2.0 建设" or a list item inside a sentence is not.
    """

    def __init__(self, partial: bool, where: str):
        self.last: dict[int, int] = {}
        self.restart: dict[int, bool] = {}
        self.partial = partial
        self.where = where

    def accept(self, rank: int, number: int, at_line_start: bool, page: int, label: str) -> bool:
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
            self.last[rank] = number
            self.restart[rank] = False
            for deeper in (r for r in LABELS if r > rank):
                self.restart[deeper] = True
        return ok


def find_headings(doc: Document, where: str) -> list[Segment]:
    """The body as segments, with numbered headings and boxes marked (split mid-line)."""
    sequence = HeadingSequence(doc.partial, where)
    out: list[Segment] = []
    for seg in doc.body:
        pieces = [seg.text]
        # Split at a mid-line heading only if it is the next one in sequence.
        for cut in reversed([m.end() for m in MID_LINE.finditer(seg.text)]):
            rest = pieces[0][cut:]
            found = _match_heading(rest)
            if found and sequence_peek(sequence, found):
                pieces[0:1] = [pieces[0][:cut].rstrip(), rest]
        for k, piece in enumerate(pieces):
            heading = _match_heading(piece)
            if heading and heading.kind == "clause":
                if not sequence.accept(heading.rank, heading.number, k == 0, seg.page, heading.label):
                    heading = None
            out.append(Segment(seg.page, piece, heading, ends_paragraph=k < len(pieces) - 1))
    return out


def sequence_peek(sequence: HeadingSequence, heading: Heading) -> bool:
    """Whether a mid-line heading is exactly the next in sequence (strict)."""
    if heading.kind == "box":
        return False
    prev = sequence.last.get(heading.rank)
    if prev is None and sequence.partial:
        return True     # an excerpt's first document may start in the middle of a clause
    return (prev is not None and heading.number == prev + 1) or (
        heading.number == 1 and sequence.restart.get(heading.rank, False))


def _match_heading(text: str) -> Heading | None:
    if m := BOX.match(text):
        return Heading("box", 4, int(m["num"]), m["label"])
    for rank, pattern in LABELS.items():
        if m := pattern.match(text):
            number = parse_number(m["num"])
            if number is not None:
                return Heading("clause", rank, int(number), m["label"])
    return None


# ---------------------------------------------------------------- sections

def path_part(heading: Heading) -> str:
    """Label as a path component: 一、 -> 一, (五) -> (五), 1. -> 1, 专栏 9 -> 专栏9."""
    return heading.label.rstrip("、.").replace(" ", "")


def heading_title(text: str, heading: Heading) -> str | None:
    """'(五)支持创新药品研发。对已在…' -> '支持创新药品研发'."""
    rest = text[len(heading.label):].strip()
    title = rest.split("。", 1)[0].strip()
    return title[:60] or None


def build_sections(doc: Document, segments: list[Segment]) -> list[Section]:
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []      # (rank, path) of open headings
    closing = _closing_start(segments)
    lead_kind = "clause" if doc.partial else "preamble"
    current = Section(lead_kind, None, None, "_lead" if doc.partial else "preamble", 1, None)
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
            kind = "box" if h.kind == "box" else "clause"
            current = Section(kind, h.label, heading_title(seg.text, h), path, len(stack) + 1, parent)
            stack.append((h.rank, path))
        current.segments.append(seg)
    sections.append(current)
    sections = [s for s in sections if s.segments]
    for s in sections:
        _join(s)
        if s.kind == "clause" and s.label and not s.text.replace(s.label, "").replace(s.title or "", "").strip("。 \n"):
            s.kind = "heading"      # a heading line with no text of its own: "一、总体要求"
    return sections


def _closing_start(segments: list[Segment]) -> int | None:
    """Index of the first segment of the closing block, after the last heading."""
    last_heading = max((i for i, s in enumerate(segments) if s.heading), default=-1)
    for i in range(last_heading + 1, len(segments)):
        text = segments[i].text
        nxt = segments[i + 1].text if i + 1 < len(segments) else ""
        if SELF_REFERENCE.match(text) or CLOSING_LINE.match(text) or PRINTED_LINE.search(text):
            return i
        if ISSUER.match(text) and DATE_LINE.match(nxt):
            return i
        if DATE_LINE.match(text) and i == len(segments) - 1:
            return i
    return None


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
            if prev.ends_paragraph or is_standalone(seg.text):
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
    return bool(ADDRESSEES.match(text) or CLOSING_LINE.match(text) or DATE_LINE.match(text)
                or SELF_REFERENCE.match(text) or _heading_at(text))


# ---------------------------------------------------------------- metadata

def doc_identity(doc_number: str | None, title: str | None, text: str) -> str:
    """doc_id: the document number, else the normalized title, else (an excerpt's first,
    partial document) a hash of its opening text. Never its position or page."""
    if doc_number:
        return regex.sub(r"\s+", "", doc_number)
    if title:
        return regex.sub(r"[\s\p{P}]+", "", title)
    han = "".join(regex.findall(r"\p{Han}", text))[:80]
    return "partial-" + hashlib.sha1(han.encode("utf-8")).hexdigest()[:12]


def document_dates(text: str, closing: str) -> dict:
    """issue / effective / expiry dates, with an expiry computed from 有效期为 N 年."""
    from .extract.dates import find_dates

    found = {"issue": None, "effective": None, "expiry": None, "printed": None}
    for mention in find_dates(closing) + find_dates(text):
        role = mention["role"]
        if role in found and found[role] is None and mention.get("precision") == "day":
            found[role] = mention["date_start"]
    issue = found["issue"] or found["printed"]
    expiry, derived = found["expiry"], False
    if expiry is None and found["effective"] is not None and (m := VALIDITY_YEARS.search(text)):
        years = parse_number(m["n"])
        if years is not None:
            expiry, derived = _add_years(found["effective"], int(years)), True
    return {"issue_date": issue, "effective_date": found["effective"],
            "expiry_date": expiry, "expiry_derived": derived}


def _add_years(start: date, years: int) -> date:
    """The last day of a validity of `years` years from `start` (2020-10-09 + 3 -> 2023-10-08)."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:          # 29 February
        end = start.replace(year=start.year + years, day=28)
    return date.fromordinal(end.toordinal() - 1)


# ---------------------------------------------------------------- tables

def structure_tables(pages: list[dict], edition: str, source: str) -> tuple[list[dict], list[dict], list[Document]]:
    """Rows of `documents` and `sections`, and the Documents (for the extract stage)."""
    lines = [(p["page"], line) for p in pages for line in p["text"].split("\n") if line.strip()]
    docs = split_documents(lines)
    if not docs:
        log.warning("%s: no documents found", source)
    text_pages = {p["page"] for p in pages if p["has_text_layer"]}
    all_pages = [p["page"] for p in pages]
    doc_rows, section_rows = [], []
    starts = [d.pages[0] for d in docs]
    for k, doc in enumerate(docs):
        segments = find_headings(doc, source)
        mark_paragraph_ends(segments)
        doc.sections = build_sections(doc, segments)
        text, offsets = "", []
        for s in doc.sections:
            if text:
                text += "\n"
            offsets.append(len(text))
            text += s.text
        doc_number = next((DOC_NUMBER.fullmatch(m.strip())[0] for m in doc.meta_lines
                           if DOC_NUMBER.fullmatch(m.strip())), None)
        norm_code = next((m for m in doc.meta_lines if CODE_LINE.match(m)), None)
        closing = next((s.text for s in doc.sections if s.kind == "closing"), "")
        doc.doc_id = doc_identity(doc_number, doc.title, text)
        # A document runs until the next one starts, across any image-only pages.
        next_start = starts[k + 1] if k + 1 < len(docs) else all_pages[-1] + 1
        page_end = max([p for p in all_pages if doc.pages[-1] <= p < next_start] or [doc.pages[-1]])
        body_pages = {seg.page for seg in doc.body}
        scanned = [p for p in all_pages if doc.pages[0] <= p <= page_end and p not in text_pages]
        issuer = _issuer(doc, closing)
        doc_rows.append({
            "edition": edition, "doc_id": doc.doc_id, "seq": doc.seq, "title": doc.title,
            "issuer": issuer, "doc_number": doc_number, "norm_code": norm_code,
            "addressees": _addressees(doc), **document_dates(text, closing),
            "repeals": _repeals(text), "page_start": doc.pages[0], "page_end": page_end,
            "text": text, "partial": doc.partial,
            "scanned_body": bool(scanned) and not any(p in body_pages for p in scanned),
            "scanned_pages": scanned, "section_count": len(doc.sections),
            "red_header": next((m for m in doc.meta_lines if RED_HEADER.match(m)), None),
        })
        if doc.title and not doc.body:
            log.warning("%s: page %d: document %s has a title but no text (scanned?)",
                        source, doc.pages[0], doc.seq)
        for order, (s, start) in enumerate(zip(doc.sections, offsets)):
            section_rows.append({
                "edition": edition, "section_id": f"{doc.doc_id}/{s.path}", "doc_id": doc.doc_id,
                "parent_id": f"{doc.doc_id}/{s.parent_path}" if s.parent_path else None,
                "level": s.level, "kind": s.kind, "label": s.label, "title": s.title,
                "path": s.path, "order": order, "text": s.text,
                "page_start": s.marks[0][1], "page_end": s.marks[-1][1],
                "char_start": start, "char_end": start + len(s.text),
                "page_marks": [{"offset": o, "page": p} for o, p in s.marks],
            })
    return doc_rows, section_rows, docs


def _issuer(doc: Document, closing: str) -> str | None:
    """The signature above the date in the closing block, else the title's opening."""
    lines = closing.split("\n")
    for line, nxt in zip(lines, lines[1:]):
        if ISSUER.match(line.strip()) and DATE_LINE.match(nxt.strip()):
            return line.strip()
    if doc.title and (m := ISSUER_IN_TITLE.match(doc.title)):
        return m["issuer"]
    return None


def _addressees(doc: Document) -> str | None:
    for seg in doc.body[:3]:
        if m := ADDRESSEES.match(seg.text.strip()):
            return m["to"]
    return None


def _repeals(text: str) -> list[str]:
    out: list[str] = []
    for sentence in regex.split(r"(?<=。)", text):
        if REPEAL.search(sentence):
            out += [n for n in DOC_NUMBER.findall(sentence) if n not in out]
    return out
