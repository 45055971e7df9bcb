"""The segment stage: `sections` rows -> the sentences and tokens tables.

jieba's own dictionary knows neither 市经信局 nor 专精特新, so it would cut the very
names analysts search for. The segmenter is taught every department name and alias
in data/departments.csv and the terms in data/policy_terms.txt, on a private
jieba.Tokenizer so that no other user of jieba in the process is affected; the taught
dictionary is cached, so a worker process loads it in one read without importing jieba.
The cut itself is jieba.posseg's (HMM off), re-implemented over that dictionary in a
few plain loops (`_cut`): tests compare the two token for token.

HMM is off: jieba's HMM guesses new words from character statistics, so a name next
to an unknown word can come out glued to it ("市经信局负责" as one "word") and the same
phrase can be cut differently in different sentences. Without it every token is a
dictionary word or a single character, which is explainable and easy to search.
Both modes are deterministic; tests check that two calls agree.
"""
from __future__ import annotations

import bisect
import hashlib
import importlib.util
import logging
import marshal
import math
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

import regex

from . import gazetteer, patterns
from .workers import Pool, spans

log = logging.getLogger(__name__)

TERMINATORS = "。!?;！？；"
CLOSERS = "”’」』)）】》"  # stay with the sentence they close: 提出如下意见。”
_SENTENCE_END = patterns.compile(f"[{regex.escape(TERMINATORS)}][{regex.escape(TERMINATORS + CLOSERS)}]*|\n")
# jieba cuts inside runs of these characters only; a term with anything else (首台(套))
# is matched by us before jieba sees the text.
_JIEBA_WORD = patterns.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._]+")

# Segmentation and extraction chunks go to the pool together, each stage cut into
# CHUNKS_PER_STAGE times the pool's usual chunks per worker: ~0.06 s of work each on a
# 500-page edition, so whichever worker is free takes the next and both end together.
CHUNKS_PER_STAGE = 2
# ...and none longer than this many sections or characters (but for a single longer
# section), so that a worker's memory does not grow with the edition: 5,000 pages in 16
# chunks peaked at 291 MB per worker (186 MB for 500); in chunks of 25 sections, whose
# sections grow with their documents, 211 MB (150 MB for 50 pages); with the characters
# capped, 176 MB.
SECTIONS_PER_CHUNK = 25
TEXT_PER_CHUNK = 16_000

TOKEN_COLUMNS = ["edition", "section_id", "sentence_index", "token_index", "token", "pos", "char_start"]


# ---------------------------------------------------------------- the stage

def segment_tables(sections: list[dict], edition: str, pool: Pool | None = None) -> dict:
    """`sentences` rows and the `tokens` table (Arrow: by far the biggest) of one
    edition, from its `sections` rows, on the build's worker pool (None: in this process)."""
    pool = pool or Pool(1)
    return gather_segments(submit_segments(sections, edition, pool))


def submit_segments(sections: list[dict], edition: str, pool: Pool) -> Iterator:
    """The chunks of `segment_tables` handed to the pool now; `gather_segments` of the
    result waits for them."""
    return pool.map(_segment_chunk, section_chunks(sections, edition, pool))


def gather_segments(results: Iterable) -> dict:
    """The `sentences` and `tokens` tables of the chunks' results, each kept packed
    (pipeline.dataset.Packed) until it is written."""
    from .dataset import Packed

    sentences, tokens = [], []
    for sentence_part, token_part in results:
        sentences.append(sentence_part)
        tokens.append(token_part)
    return {"sentences": Packed.of("sentences", sentences), "tokens": Packed.of("tokens", tokens)}


def section_chunks(sections: list[dict], edition: str, pool: Pool) -> list[tuple]:
    """(sections, edition) arguments for the pool: contiguous runs of about equal text
    length (both stages' time goes with it), of at most SECTIONS_PER_CHUNK sections and
    TEXT_PER_CHUNK characters."""
    return [(sections[a:b], edition) for a, b in
            spans([len(s["text"]) for s in sections], pool.workers * CHUNKS_PER_STAGE, most=SECTIONS_PER_CHUNK,
                  heaviest=TEXT_PER_CHUNK)]


def _segment_chunk(sections: list[dict], edition: str) -> tuple[tuple[bytes, int], tuple[bytes, int]]:
    """(bytes, rows) of the sentences and of the tokens of some sections, as Arrow built
    here in the worker and packed (dataset.Packed): 130k tokens as Python objects would
    cost the parent ~100 MB, and even as Arrow the 5,000-page edition's tokens and
    sentences were ~300 MB of the parent's peak."""
    from .dataset import Packed, to_arrow

    sentences, columns = segment_rows(sections, edition)
    return ((Packed.pack(to_arrow("sentences", sentences)), len(sentences)),
            (Packed.pack(to_arrow("tokens", columns)), len(columns["token"])))


def segment_rows(sections: list[dict], edition: str) -> tuple[list[dict], dict[str, list]]:
    """`sentences` rows, and `tokens` as columns, of `sections` rows."""
    sentences: list[dict] = []
    columns: dict[str, list] = {k: [] for k in TOKEN_COLUMNS}
    for section in sections:
        text, section_id = section["text"], section["section_id"]
        marks = PageMarks(section["page_marks"])
        for index, (start, end) in enumerate(split_sentences(text)):
            sentences.append({
                "edition": edition, "doc_id": section["doc_id"], "section_id": section_id,
                "sentence_index": index, "text": text[start:end], "page": marks.page_at(start),
                "char_start": start, "char_end": end})
            found = tokens(text[start:end])
            # Whole columns at once: appending value by value took 0.23 s CPU per 500 pages.
            columns["edition"] += [edition] * len(found)
            columns["section_id"] += [section_id] * len(found)
            columns["sentence_index"] += [index] * len(found)
            columns["token_index"] += range(len(found))
            columns["token"] += [t for t, _, _ in found]
            columns["pos"] += [p for _, p, _ in found]
            columns["char_start"] += [o for _, _, o in found]
    return sentences, columns


class PageMarks:
    """A section's `page_marks` column: the page of any offset in its text is the page
    of the last mark at or before it (or of the first mark)."""

    def __init__(self, marks: list[dict]):
        self.offsets = [m["offset"] for m in marks]
        self.pages = [m["page"] for m in marks]

    def page_at(self, offset: int) -> int:
        return self.pages[max(bisect.bisect_right(self.offsets, offset) - 1, 0)]


# ---------------------------------------------------------------- sentences and tokens


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: up to and including 。!?; (and closing quotes after
    them), or up to a line break, which belongs to no sentence. Spans are trimmed of
    spaces and never empty."""
    # One regex scan for the ends, not a loop over every character: 0.05 -> 0.01 s CPU
    # per 500 pages, and both stages split every section.
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m[0] == "\n":
            spans.append((start, m.start()))
        else:
            spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return [span for s, e in spans if (span := _trim(text, s, e))]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def tokens(text: str) -> list[tuple[str, str, int]]:
    """(token, part of speech, offset in text) for every token; together they are the text."""
    seg = _segmenter()
    out: list[tuple[str, str, int]] = []
    pos = 0
    for m in seg.protected.finditer(text):
        out += _cut(seg, text, pos, m.start())
        out.append((m[0], seg.special[m[0]], m.start()))
        pos = m.end()
    out += _cut(seg, text, pos, len(text))
    return out


# jieba.posseg's own splitting of a text into blocks it cuts with its dictionary (runs of
# _JIEBA_BLOCK) and the rest, copied from jieba 0.42.1 (with Python's re, as there): the
# rest comes out one character a token, whitespace runs (and \r\n) one token each.
_JIEBA_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._]+)")
_JIEBA_SKIP = re.compile(r"(\r\n|\s)")
_JIEBA_NUM = re.compile(r"[\.0-9]+")
_JIEBA_ENG = re.compile("[a-zA-Z0-9]+")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _cut(seg: Segmenter, text: str, start: int, end: int) -> list[tuple[str, str, int]]:
    """jieba.posseg.POSTokenizer.cut(text[start:end], HMM=False), token for token, as
    (token, tag, offset in text). Our own loop over jieba's dictionary, not jieba's:
    jieba builds a DAG dict, a route dict of tuples and a `pair` per token; one pass
    over plain lists gives the same cut at half the cost (0.84 -> 0.4 s CPU on a
    500-page edition), and the workers need not import jieba.posseg (0.45 s each)."""
    out, pos = [], start
    for block in _JIEBA_BLOCK.split(text[start:end]):
        if _JIEBA_BLOCK.match(block):
            for word, flag in _cut_block(seg, block):
                # Without HMM jieba tags a digit run "eng", as if Latin: "2021" is a numeral (m).
                if flag == "eng" and word.isascii() and word.isdigit():
                    flag = "m"
                out.append((word, flag, pos))
                pos += len(word)
            continue
        for piece in _JIEBA_SKIP.split(block):
            if _JIEBA_SKIP.match(piece):
                out.append((piece, "x", pos))
                pos += len(piece)
                continue
            for ch in piece:
                out.append((ch, "m" if _JIEBA_NUM.match(ch) else "eng" if _JIEBA_ENG.match(piece) else "x", pos))
                pos += 1
    if pos != end:
        raise AssertionError(f"segmenter lost text between {pos} and {end}")
    return out


def _cut_block(seg: Segmenter, block: str) -> list[tuple[str, str]]:
    """jieba's cut without HMM of one block: the most probable path through the words of
    the dictionary (a word's weight is log(its frequency / the total)); a character that
    starts no word is a word of frequency 1. Ties go to the longer word, as in jieba's
    max over (weight, end). Single Latin letters and digits in a row join as one "eng" token."""
    starting, logtotal, n, ln = seg.words.starting, seg.logtotal, len(block), math.log
    weight = [0.0] * (n + 1)   # weight[i]: of the best path through block[i:]
    stop = list(range(1, n + 1))  # stop[i]: end of the first word on that path
    for i in range(n - 1, -1, -1):
        best, best_stop = ln(1) - logtotal + weight[i + 1], i + 1
        found = False
        j = i + 1
        words = starting(block[i])
        while j <= n:
            code = words.get(block[i:j])
            if code is None:
                break          # no word starts with block[i:j]
            if code >= _TAGS:  # a word, not only the prefix of one
                w = ln(code // _TAGS) - logtotal + weight[j]
                if not found or w >= best:
                    best, best_stop, found = w, j, True
            j += 1
        weight[i], stop[i] = best, best_stop
    out, buf, i = [], "", 0
    while i < n:
        word = block[i:stop[i]]
        i = stop[i]
        if len(word) == 1 and word in _ASCII_ALNUM:
            buf += word
            continue
        if buf:
            out.append((buf, "eng"))
            buf = ""
        code = starting(word[0]).get(word)
        out.append((word, seg.tags[code % _TAGS] if code is not None else "x"))
    if buf:
        out.append((buf, "eng"))
    return out


# ---------------------------------------------------------------- set-up, once per process

def user_words() -> list[tuple[str, str]]:
    """(word, tag) for the user dictionary: department names as nt (organisation),
    policy terms as nz (other proper noun); the first tag of a word wins."""
    terms = resources.files("pipeline.data").joinpath("policy_terms.txt").read_text("utf-8")
    words = [(name, "nt") for name in gazetteer.names()]
    words += [(line.strip(), "nz") for line in terms.splitlines()
              if line.strip() and not line.lstrip().startswith("#")]
    seen: dict[str, str] = {}
    for word, tag in words:
        seen.setdefault(word, tag)
    return list(seen.items())


def cache_dir() -> Path:
    """$POLICY_PIPELINE_CACHE/jieba, or the repository's gitignored .cache/jieba."""
    return patterns.cache_root() / "jieba"


#: Tags are numbered below this; a dictionary entry is frequency * _TAGS + tag number.
_TAGS = 256


class Words:
    """jieba's dictionary taught our words: every word and every prefix of one ->
    frequency * _TAGS + the number of its tag (a prefix that is no word has frequency
    0; tag 0 is "x", jieba's tag for a word without one). Kept as one marshalled dict
    per first character, each read on its first use: marshal.loads of the whole
    500,000-entry dict was 0.17 s of every worker's start, most of a 50-page build's
    text stages, whose text starts words with a fraction of the characters."""

    __slots__ = ("_packed", "_loaded")

    def __init__(self, packed: dict[str, bytes]):
        self._packed, self._loaded = packed, {}

    def starting(self, char: str) -> dict[str, int]:
        """The entries of the words that start with `char` (empty if none)."""
        found = self._loaded.get(char)
        if found is None:
            blob = self._packed.get(char)
            found = self._loaded[char] = marshal.loads(blob) if blob is not None else {}
        return found

    def get(self, word: str, default=None):
        return self.starting(word[0]).get(word, default) if word else default

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None

    @staticmethod
    def pack(entries: dict[str, int]) -> dict[str, bytes]:
        by_first: dict[str, dict[str, int]] = {}
        for word, code in entries.items():
            by_first.setdefault(word[0], {})[word] = code
        return {char: marshal.dumps(part) for char, part in by_first.items()}


@dataclass(frozen=True)
class Segmenter:
    """jieba's dictionary taught our words (Words), as `_cut` reads it. Ints, because
    marshal reads ints fastest (a second word-keyed dict for the tags cost 0.16 s more
    per process)."""
    words: Words
    logtotal: float
    tags: list[str]
    protected: object  # regex of the words jieba cannot hold (首台(套)), longest first
    special: dict[str, str]  # those words -> their tags


def warm(pool: Pool) -> None:
    """Start the segment and extract stages in each worker now, while the parent is
    busy (ruled tables, structure): otherwise each worker's first chunk waits ~0.3 s
    for the dictionary and the finders' patterns. Nothing waits on it;
    with no workers it does nothing (the stages start in this process when first asked)."""
    pool.each(_warm)


def _warm() -> None:
    """Segment and extract one sentence; returns nothing: what it built stays in the worker
    (the dictionary, the finders' patterns, and one packed tokens table, so that the
    first real chunk finds Arrow's conversion ready too)."""
    from .extract import FINDERS

    sentence = "自2021年8月23日起施行,由市经信局牵头,给予最高500万元、30%的补助。"
    _segment_chunk([{"doc_id": "", "section_id": "", "text": sentence, "page_marks": [{"offset": 0, "page": 1}]}], "")
    for finder in FINDERS.values():
        finder(sentence)


@cache
def _segmenter() -> Segmenter:
    """The segmenter, once per process: from the cache (one marshal read), else built
    with jieba and cached."""
    words = user_words()
    special = {w: tag for w, tag in words if not _JIEBA_WORD.fullmatch(w)}  # matched by us
    # The cache is keyed on our words and on jieba's code and dictionary files as
    # installed (found without importing jieba, which takes 0.1 s). marshal.loads of the
    # whole file is 3x faster than jieba's own start-up; a cache that cannot be read or
    # written (read-only checkout) only costs the build again.
    code = Path(importlib.util.find_spec("jieba").origin).resolve()
    installed = [(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in (code, code.parent / "dict.txt")]
    key = hashlib.sha256(repr((_CACHE_FORMAT, installed, words)).encode("utf-8")).hexdigest()[:16]
    path = cache_dir() / f"segmenter-{key}.marshal"
    state = _load(path)
    hit = isinstance(state, tuple) and len(state) == 3
    if not hit:
        state = _build(words, special)
        _save(path, state)
    packed, total, tags = state
    # Longest first, so 中国(浙江)自由贸易试验区杭州片区管理委员会 wins over a shorter name.
    protected = patterns.compile("|".join(regex.escape(w) for w in sorted(special, key=len, reverse=True))
                              or r"(?!)")
    log.debug("segmenter ready: %d user words, %d matched before jieba, cache %s",
              len(words), len(special), "hit" if hit else "miss")
    return Segmenter(Words(packed), math.log(total), tags, protected, special)


#: Changes whenever the cached layout does (old files are then never read).
_CACHE_FORMAT = "words-by-first-character-1"


def _build(words: list[tuple[str, str]], special: dict[str, str]) -> tuple[dict[str, bytes], int, list[str]]:
    """(Words.pack of words -> frequency * _TAGS + tag number, total frequency, tag
    names) of jieba's dictionary with our words added."""
    posseg = jieba_posseg(words, special)
    word_tags = posseg.word_tag_tab    # prefixes have no tag
    tags = ["x", *sorted({t for t in word_tags.values() if t != "x"})]
    if len(tags) > _TAGS:
        raise ValueError(f"jieba's dictionary has {len(tags)} tags, more than {_TAGS}")
    if word_tags.keys() - posseg.tokenizer.FREQ.keys():  # their tags would be lost
        raise ValueError("jieba's dictionary tags words it does not hold")
    number = {t: i for i, t in enumerate(tags)}
    entries = {w: f * _TAGS + number[word_tags.get(w, "x")] for w, f in posseg.tokenizer.FREQ.items()}
    return Words.pack(entries), posseg.tokenizer.total, tags


def jieba_posseg(words: list[tuple[str, str]], special: dict[str, str]):
    """jieba's POS tokenizer taught `words` (but `special`), on a private jieba.Tokenizer
    so that no other user of jieba in the process is affected (tests cut with it too)."""
    # jieba logs its start-up ("Building prefix dict…") at DEBUG through its own stderr
    # handler; drop that handler so the records reach our logging configuration instead
    # (cli.py shows them with -vv only). Its import sets its logger to DEBUG; keep the
    # level our CLI chose.
    level = logging.getLogger("jieba").level
    import jieba
    import jieba.posseg

    jieba.default_logger.removeHandler(jieba.log_console)
    jieba.default_logger.setLevel(level or logging.WARNING)
    tokenizer = jieba.Tokenizer()
    # Not tokenizer.initialize(): that writes jieba's own cache, by default outside the repository.
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    tokenizer.initialized = True
    for word, tag in words:
        if word not in special:
            tokenizer.add_word(word, tag=tag)
    posseg = jieba.posseg.POSTokenizer(tokenizer)
    posseg.makesure_userdict_loaded()  # merge the user tags
    return posseg


def _load(path: Path):
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _save(path: Path, state) -> None:
    """Write atomically (parallel workers never see half a file); skip when unwritable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as fh:
            marshal.dump(state, fh)
        os.replace(fh.name, path)
    except OSError as exc:
        log.debug("segmenter cache not written (%s): %s", path, exc)
