"""Sentences and words of policy text, for the sentences and tokens tables.

jieba's own dictionary knows neither 市经信局 nor 专精特新, so it would cut the very
names analysts search for. The segmenter is taught every department name and alias
in data/departments.csv and the terms in data/policy_terms.txt, once per process,
on a private jieba.Tokenizer so that no other user of jieba in the process is affected.

HMM is off: jieba's HMM guesses new words from character statistics, so a name next
to an unknown word can come out glued to it ("市经信局负责" as one "word") and the same
phrase can be cut differently in different sentences. Without it every token is a
dictionary word or a single character, which is explainable and easy to search.
Both modes are deterministic; tests check that two calls agree.
"""
from __future__ import annotations

import logging
import threading
from importlib import resources
from pathlib import Path

import regex

from . import gazetteer

log = logging.getLogger(__name__)

HMM = False
#: jieba's prefix-dictionary cache; inside the repository, under the gitignored .cache/.
CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache" / "jieba"
TERMINATORS = "。!?;！？；"
CLOSERS = "”’」』)）】》"  # stay with the sentence they close: 提出如下意见。”
# jieba cuts inside runs of these characters only; a term with anything else (首台(套))
# is matched by us before jieba sees the text.
_JIEBA_WORD = regex.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._]+")

_lock = threading.Lock()
_state: tuple | None = None


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


def _segmenter():
    global _state
    with _lock:
        if _state is None:
            _state = _build()
    return _state


def _build():
    # jieba logs its start-up ("Building prefix dict…", "Loading model cost…") at DEBUG
    # through its own stderr handler; drop that handler so the records reach our logging
    # configuration instead (cli.py shows them with -vv only).
    # jieba is imported here, not at module import: the parent process of the workers
    # never needs it. Its import sets its logger to DEBUG; keep the level our CLI chose.
    level = logging.getLogger("jieba").level
    import jieba
    import jieba.posseg

    jieba.default_logger.removeHandler(jieba.log_console)
    jieba.default_logger.setLevel(level or logging.WARNING)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(CACHE_DIR)
    tokenizer.initialize()
    special: dict[str, str] = {}  # words jieba cannot hold, matched by us: word -> tag
    for word, tag in user_words():
        if _JIEBA_WORD.fullmatch(word):
            tokenizer.add_word(word, tag=tag)
        else:
            special[word] = tag
    posseg = jieba.posseg.POSTokenizer(tokenizer)
    posseg.makesure_userdict_loaded()  # merge the user tags now, not inside a later cut
    # Longest first, so 中国(浙江)自由贸易试验区杭州片区管理委员会 wins over a shorter name.
    protected = regex.compile("|".join(regex.escape(w) for w in sorted(special, key=len, reverse=True))
                              or r"(?!)")
    log.debug("segmenter ready: %d user words, %d matched before jieba", len(user_words()), len(special))
    return posseg, protected, special
