"""The segment stage: `sections` rows -> the sentences and tokens tables.

jieba's own dictionary knows neither 市经信局 nor 专精特新, so it would cut the very
names analysts search for. The segmenter is taught every department name and alias
in data/departments.csv and the terms in data/policy_terms.txt, on a private
jieba.Tokenizer so that no other user of jieba in the process is affected; the taught
dictionary is cached, so a worker process loads it in one read.

HMM is off: jieba's HMM guesses new words from character statistics, so a name next
to an unknown word can come out glued to it ("市经信局负责" as one "word") and the same
phrase can be cut differently in different sentences. Without it every token is a
dictionary word or a single character, which is explainable and easy to search.
Both modes are deterministic; tests check that two calls agree.
"""
from __future__ import annotations

import bisect
import hashlib
import logging
import marshal
import os
import sys
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

import regex

from . import gazetteer
from .workers import Pool, spans

log = logging.getLogger(__name__)

HMM = False
TERMINATORS = "。!?;！？；"
CLOSERS = "”’」』)）】》"  # stay with the sentence they close: 提出如下意见。”
# jieba cuts inside runs of these characters only; a term with anything else (首台(套))
# is matched by us before jieba sees the text.
_JIEBA_WORD = regex.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._]+")

TOKEN_COLUMNS = ["edition", "section_id", "sentence_index", "token_index", "token", "pos", "char_start"]


# ---------------------------------------------------------------- the stage

def segment_tables(sections: list[dict], edition: str, pool: Pool | None = None) -> dict:
    """`sentences` rows and the `tokens` table (Arrow: by far the biggest) of one
    edition, from its `sections` rows, on the build's worker pool (None: in this process)."""
    import pyarrow as pa

    from .dataset import to_arrow

    pool = pool or Pool(1)
    sentences, parts = [], []
    for rows, table in pool.map(_segment_chunk, section_chunks(sections, edition, pool)):
        sentences += rows
        parts.append(table)
    # One chunk whatever the number of workers, so the file does not depend on it.
    return {"sentences": sentences,
            "tokens": pa.concat_tables(parts).combine_chunks() if parts else to_arrow("tokens", [])}


def section_chunks(sections: list[dict], edition: str, pool: Pool) -> list[tuple]:
    """(sections, edition) arguments for the pool: contiguous runs of about equal text length."""
    return [(sections[a:b], edition)
            for a, b in spans([len(s["text"]) for s in sections], pool.workers)]


def _segment_chunk(sections: list[dict], edition: str) -> tuple[list[dict], object]:
    """Sentences rows and tokens (as Arrow, built here in the worker: 130k tokens as
    Python objects would cost the parent ~100 MB) of some sections."""
    from .dataset import to_arrow

    sentences, columns = segment_rows(sections, edition)
    return sentences, to_arrow("tokens", columns)


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
            for k, (token, pos, offset) in enumerate(tokens(text[start:end])):
                for column, value in zip(TOKEN_COLUMNS, (edition, section_id, index, k, token, pos, offset)):
                    columns[column].append(value)
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
    spans, start, i, n = [], 0, 0, len(text)
    while i < n:
        if text[i] in TERMINATORS:
            i += 1
            while i < n and (text[i] in TERMINATORS or text[i] in CLOSERS):
                i += 1
            spans.append((start, i))
            start = i
        elif text[i] == "\n":
            spans.append((start, i))
            start = i = i + 1
        else:
            i += 1
    spans.append((start, n))
    return [span for s, e in spans if (span := _trim(text, s, e))]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def tokens(text: str) -> list[tuple[str, str, int]]:
    """(token, part of speech, offset in text) for every token; together they are the text."""
    posseg, protected, tags = _segmenter()
    out: list[tuple[str, str, int]] = []
    pos = 0
    for m in protected.finditer(text):
        out += _cut(posseg, text, pos, m.start())
        out.append((m[0], tags[m[0]], m.start()))
        pos = m.end()
    out += _cut(posseg, text, pos, len(text))
    return out


def _cut(posseg, text: str, start: int, end: int) -> list[tuple[str, str, int]]:
    out, pos = [], start
    for pair in posseg.cut(text[start:end], HMM=HMM):
        if text[pos:pos + len(pair.word)] != pair.word:
            raise AssertionError(f"jieba token {pair.word!r} does not match the text at {pos}")
        # Without HMM jieba tags a digit run "eng", as if Latin: "2021" is a numeral (m).
        flag = "m" if pair.flag == "eng" and pair.word.isascii() and pair.word.isdigit() else pair.flag
        out.append((pair.word, flag, pos))
        pos += len(pair.word)
    if pos != end:
        raise AssertionError(f"jieba lost text between {pos} and {end}")
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
    base = os.environ.get("POLICY_PIPELINE_CACHE")
    return (Path(base) if base else Path(__file__).resolve().parent.parent / ".cache") / "jieba"


@cache
def _segmenter():
    """(POS tokenizer, pattern of the words jieba cannot hold, their tags), once per process."""
    # jieba logs its start-up ("Building prefix dict…") at DEBUG through its own stderr
    # handler; drop that handler so the records reach our logging configuration instead
    # (cli.py shows them with -vv only). jieba is imported here, not at module import:
    # the parent process of the workers never needs it. Its import sets its logger to
    # DEBUG; keep the level our CLI chose.
    level = logging.getLogger("jieba").level
    import jieba
    import jieba.posseg

    jieba.default_logger.removeHandler(jieba.log_console)
    jieba.default_logger.setLevel(level or logging.WARNING)
    words = user_words()
    special = {w: tag for w, tag in words if not _JIEBA_WORD.fullmatch(w)}  # matched by us
    tokenizer = jieba.Tokenizer()
    # jieba's own start-up loads its prefix dictionary, re-reads dict.txt for the POS tags
    # (POSTokenizer) and adds our words one by one: ~1.3 s per process. The finished
    # dictionary is cached once per jieba version and word list, the tags as a list
    # parallel to the dictionary's words (a second word-keyed dict would double the load
    # time); marshal.loads of the whole file is 3x faster than jieba's marshal.load(file).
    # A cache that cannot be read or written (read-only checkout) only costs that time again.
    key = hashlib.sha256(repr((jieba.__version__, words)).encode("utf-8")).hexdigest()[:16]
    path = cache_dir() / f"segmenter-{key}.marshal"
    state = _load(path)
    if state is None:
        # Not tokenizer.initialize(): that writes jieba's own cache, by default outside the repository.
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
        tokenizer.initialized = True
        for word, tag in words:
            if word not in special:
                tokenizer.add_word(word, tag=tag)
        posseg = jieba.posseg.POSTokenizer(tokenizer)
        posseg.makesure_userdict_loaded()  # merge the user tags now, not inside a later cut
        tags = posseg.word_tag_tab   # every tagged word is in FREQ; prefixes have no tag
        _save(path, (tokenizer.FREQ, tokenizer.total, [sys.intern(tags.get(w, "")) for w in tokenizer.FREQ]))
    else:
        tokenizer.FREQ, tokenizer.total, tag_list = state
        tokenizer.initialized = True
        posseg = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)  # skips reading dict.txt
        posseg.tokenizer = tokenizer
        posseg.word_tag_tab = {w: tag for w, tag in zip(tokenizer.FREQ, tag_list) if tag}
    # Longest first, so 中国(浙江)自由贸易试验区杭州片区管理委员会 wins over a shorter name.
    protected = regex.compile("|".join(regex.escape(w) for w in sorted(special, key=len, reverse=True))
                              or r"(?!)")
    log.debug("segmenter ready: %d user words, %d matched before jieba, cache %s",
              len(words), len(special), "hit" if state else "miss")
    return posseg, protected, special


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
