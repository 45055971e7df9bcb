"""Make the 2024 sample edition from the 2023 seed: tools/samples/2024-flipbook.txt.

There is no real 2024 edition in the repository, so this script writes one the way a
next edition of 杭州市级产业政策汇编 would come out: the same flipbook text export
format, the same documents, with a known set of changes (the answer key is
tests/answers/diff_2023_2024.json). Standard library only and deterministic.

    python tools/samples/make_2024.py            # reads raw/2023-flipbook.txt

Planted changes (each exactly once; the diff must report them):
  (1) document removed   30. 历史经典产业
  (2) document added     30. 智能网联汽车 (after 生物医药)
  (3) amounts changed    生物医药 (五): 600 万元 -> 800 万元, 1200 万元 -> 1500 万元
  (4) percentage changed 生物医药 (五): 研发投入 40% -> 45%
  (5) date changed       生物医药 closing: 有效期至 2025-12-31 -> 2026-12-31
  (6) department changed 生物医药 (九): 配合单位 市经信局 -> 市科技局
  (7) clause added       现代农业 二、(十一)
  (8) sentence reworded  现代农业 三、(二) 大力开展… -> 积极拓展…

Noise (not a change; the diff must ignore it):
  (n1) page numbers: 第N页 -> 第(N+12)页 and printed numbers +12, then re-pagination
  (n2) entry numbers: 29->28, 31->29, new 30, 32->31, 33->32
  (n3) 现代农业 re-wrapped at 25 characters a line (re-paginated)
  (n4) 生物医药 (四): 市科技局 written in full as 杭州市科学技术局

Edited paragraphs are re-wrapped; a document whose lines change is re-paginated
(documents start on a new page, as in the compilation).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "raw" / "2023-flipbook.txt"
OUT = Path(__file__).resolve().parent / "2024-flipbook.txt"

PAGE_SHIFT = 12          # (n1) the 2024 compilation has 12 more pages before this excerpt
PRINTED_OFFSET = 5       # printed page number = PDF page - 5, as in 2023
PAGE_LINES = 24          # body lines a page holds
TITLE_PAGE_LINES = 23    # the first page of a document: its title is set larger
BODY_WIDTH = 27          # characters a body line holds (CJK 1, digits/Latin 1/2)
AGRI_WIDTH = 25          # (n3) the re-set 现代农业 document
INDENT = 2               # the first line of a paragraph is indented two characters

PAGE_MARKER = re.compile(r"^第(\d+)页$")
FOOTER_START = "百万用户使用云展网"
TITLE_LINE = re.compile(r"^(\d{1,3})\.(?=[^。\s]*(?:关于|印发)[^。]*$)")
META_LINE = re.compile(r"^(?:[A-Z]{4}\d{2}-\d{4}-\d{4}|\S+〔\d{4}〕\s*\d+\s*号|\S{2,20}文件)$")
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|——)")
SIGNATURE = re.compile(r"^(?:杭州市人民政府办公厅|\d{4} 年 \d{1,2} 月 \d{1,2}( 日)?|\(此件公开发布\)"
                       r"|抄送:.*|杭州市人民政府办公厅 .*印发)$")
NO_LINE_START = set(",.;:!?)]、。》」』”’〕】…%")
NO_LINE_END = set("([《“‘〔【")
SQUEEZABLE = set(",;:!?()、。“”‘’《》〔〕")     # full-width marks Word can set half-width
ADDRESSEES = re.compile(r"^\S+(?:人民政府|各部门|直属单位)\S*:$")


# ------------------------------------------------------------------ the flipbook format

@dataclass
class Page:
    number: int                 # the PDF page, 第N页
    printed: int | None         # the printed page number on the next line
    lines: list[str] = field(default_factory=list)


def read_flipbook(text: str) -> tuple[str, list[Page], str]:
    """Split the export into web junk above, pages, and web junk below (kept verbatim)."""
    rows = text.split("\n")
    first = next(i for i, r in enumerate(rows) if PAGE_MARKER.match(r))
    last = next(i for i, r in enumerate(rows) if FOOTER_START in r)
    pages: list[Page] = []
    for row in rows[first:last]:
        if not row.strip():
            continue                      # blank lines between lines are export artefacts
        if m := PAGE_MARKER.match(row):
            pages.append(Page(int(m.group(1)), None))
        elif pages[-1].printed is None and not pages[-1].lines and row.isdigit():
            pages[-1].printed = int(row)
        else:
            pages[-1].lines.append(row)
    return "\n".join(rows[:first]) + "\n", pages, "\n".join(rows[last:])


def write_flipbook(header: str, pages: list[Page], footer: str) -> str:
    """The export format: 第N页, blank, printed number, blank, each line, blank."""
    out = [header]
    for page in pages:
        out.append(f"第{page.number}页\n\n")
        if page.printed is not None:
            out.append(f"{page.printed}\n\n")
        out.extend(f"{line}\n\n" for line in page.lines)
    out.append(footer)
    return "".join(out)


# ------------------------------------------------------------------ documents

@dataclass
class Document:
    """A run of pages; a numbered document starts on a new page with its title."""
    pages: list[Page]

    @property
    def lines(self) -> list[str]:
        return [line for page in self.pages for line in page.lines]

    @property
    def title(self) -> str:
        lines = self.lines
        i = next((k for k, l in enumerate(lines) if TITLE_LINE.match(l)), None)
        return "" if i is None else lines[i] + lines[i + 1]


def split_documents(pages: list[Page]) -> list[Document]:
    """Cut the excerpt at the pages that carry a numbered title (the first run is the
    tail of a document that began before the excerpt)."""
    docs: list[Document] = []
    for page in pages:
        if not docs or any(TITLE_LINE.match(line) for line in page.lines[:4]):
            docs.append(Document([]))
        docs[-1].pages.append(page)
    return docs


def find(docs: list[Document], word: str) -> Document:
    [doc] = [d for d in docs if word in d.title]
    return doc


# ------------------------------------------------------------------ paragraphs and wrapping

def width(text: str) -> float:
    """Printed width in characters: CJK and full-width punctuation 1, digits and Latin 1/2,
    the thin space around a number 1/4."""
    return sum(0.25 if ch == " " else 0.5 if (ch.isascii() and ch not in ",:;()!?") else 1.0
               for ch in text)


def is_han(ch: str) -> bool:
    """A CJK character or Roman numeral (not punctuation)."""
    return not ch.isascii() and unicodedata.category(ch)[0] in "LN"


def join(lines: list[str]) -> str:
    """Running text of a paragraph. A break between a number or Latin word and a CJK
    character stands for the space printed there ("到 2025" / "年"); others for nothing."""
    def word(ch: str) -> bool:
        return ch.isascii() and ch.isalnum()

    text = ""
    for line in lines:
        if text and ((word(text[-1]) and is_han(line[0])) or (is_han(text[-1]) and word(line[0]))):
            text += " "
        text += line
    return text


def wrap(text: str, limit: float, indent: int = INDENT) -> list[str]:
    """Greedy CJK line breaking as Word does it: the first line is indented, numbers stay
    whole, opening punctuation never ends a line, and closing punctuation never starts
    one: it hangs past the margin when the line has punctuation to squeeze (two marks or
    more), else the last character goes down with it."""
    tokens = re.findall(r"[A-Za-z0-9][A-Za-z0-9.%/\-]*| +|.", text)
    lines: list[str] = []
    line, room = "", limit - indent
    for tok in tokens:
        if tok.isspace() and not line:
            continue
        if tok.isspace() or width(line + tok) <= room:
            line += tok
            continue
        if tok[0] in NO_LINE_START:
            if sum(ch in SQUEEZABLE for ch in line) >= 2:
                line += tok                                  # hang it
                continue
            last = re.search(r"(?:[A-Za-z0-9][A-Za-z0-9.%/\-]*|.)$", line.rstrip())
            line, carry = line.rstrip()[:last.start()], last.group()
        else:
            carry = ""
            while line and line[-1] in NO_LINE_END:
                line, carry = line[:-1], line[-1] + carry
        lines.append(line.rstrip())
        line, room = carry + tok, limit
    if line.strip():
        lines.append(line.rstrip())
    return lines


@dataclass
class Paragraph:
    lines: list[str]
    fixed: bool = False          # titles, header lines, signature: never re-wrapped
    dirty: bool = False          # edited: re-wrap on output

    @property
    def text(self) -> str:
        return join(self.lines)

    def set_text(self, text: str) -> None:
        self.lines, self.dirty = [text], True


def paragraphs(lines: list[str], limit: float) -> list[Paragraph]:
    """Physical lines -> paragraphs. A paragraph ends at a short line (narrower than the
    measure, less the indent on a first line) or before a numbered heading."""
    out: list[Paragraph] = []
    in_title = False
    for line in lines:
        fixed = bool(META_LINE.match(line) or SIGNATURE.match(line) or ADDRESSEES.match(line)
                     or TITLE_LINE.match(line) or in_title)
        in_title = bool(TITLE_LINE.match(line))          # the title's second line follows
        prev = out[-1] if out else None
        starts = (prev is None or fixed or prev.fixed or HEADING.match(line)
                  or width(prev.lines[-1]) < limit - 2.5 - (INDENT if len(prev.lines) == 1 else 0))
        if starts:
            out.append(Paragraph([line], fixed=fixed))
        else:
            prev.lines.append(line)
    return out


def layout(paras: list[Paragraph], limit: float, rewrap_all: bool = False) -> list[str]:
    """Paragraphs -> physical lines; edited ones (or all, for a re-set document) re-wrapped."""
    lines: list[str] = []
    for p in paras:
        if not p.fixed and (p.dirty or (rewrap_all and len(p.lines) > 1)):
            lines.extend(wrap(p.text, limit))
        else:
            lines.extend(p.lines)
    return lines


def edit(paras: list[Paragraph], old: str, new: str) -> Paragraph:
    """Replace `old` by `new` in the one paragraph that contains it."""
    [p] = [p for p in paras if old in p.text]
    assert p.text.count(old) == 1, old
    p.set_text(p.text.replace(old, new))
    return p


def paginate(lines: list[str], first_page: int = TITLE_PAGE_LINES) -> list[list[str]]:
    """Fill pages to the foot; the signing office is not parted from its date."""
    pages: list[list[str]] = []
    i = 0
    while i < len(lines):
        end = min(i + (first_page if not pages else PAGE_LINES), len(lines))
        if end < len(lines) and lines[end - 1] == "杭州市人民政府办公厅":
            end -= 1
        pages.append(lines[i:end])
        i = end
    return pages


def repaginate(doc: Document, lines: list[str], first_page: int = TITLE_PAGE_LINES) -> None:
    """Pour a document's new lines into pages (numbered later by renumber_pages)."""
    doc.pages = [Page(0, 0, chunk) for chunk in paginate(lines, first_page)]


# ------------------------------------------------------------------ planted changes

def remove_history_classics(docs: list[Document]) -> None:
    """(1) The 历史经典产业 opinions (2020, valid 3 years) expired: dropped from 2024."""
    docs.remove(find(docs, "历史经典"))


NEW_DOCUMENT = [
    ("title", "30.杭州市人民政府办公厅关于促进智能网"),
    ("title", "联汽车产业发展的若干意见"),
    ("line", "各区、县(市)人民政府,市政府各部门、各直属单位:"),
    ("para", "为抢抓汽车产业电动化、网联化、智能化发展机遇,加快构建智能网联汽车产业"
             "生态,推动我市汽车产业转型升级和高质量发展,经市政府同意,现就促进我市智能"
             "网联汽车产业发展提出如下意见。"),
    ("line", "一、强化技术创新"),
    ("para", "(一)支持关键技术攻关。鼓励企业联合高校、科研院所开展车规级芯片、车载操作"
             "系统、激光雷达、高精度定位等关键核心技术攻关,对经评审认定的重大攻关项目,"
             "按照不超过项目研发投入 30%的比例给予资助,单个项目最高不超过 1000 万元。"
             "(责任单位:市科技局、市经信局、市财政局)"),
    ("para", "(二)建设公共服务平台。支持建设智能网联汽车测试验证、检验检测、数据安全等"
             "公共服务平台,对经认定的市级公共服务平台,给予最高 500 万元的一次性补助。"
             "(责任单位:市经信局、市市场监管局、市财政局)"),
    ("line", "二、拓展应用场景"),
    ("para", "(三)扩大道路测试与示范应用。有序扩大智能网联汽车测试道路和示范区域,推动"
             "自动驾驶出租车、无人配送、智能公交等场景示范应用,建立健全测试示范管理和"
             "安全保障机制。(责任单位:市经信局、市公安局、市交通运输局)"),
    ("para", "(四)推进车路云一体化建设。加快路侧感知设施和车联网通信网络部署,推动城市"
             "大脑与车路云一体化平台数据互联互通,提升智能网联汽车运行监测和服务保障能力。"
             "(责任单位:市数据资源局、市城管局、市公安局)"),
    ("para", "本意见自 2024 年 3 月 1 日起施行,有效期至 2026 年 12 月 31 日。"),
    ("line", "杭州市人民政府办公厅"),
    ("line", "2024 年 1 月 20 日"),
]


def add_connected_vehicles(docs: list[Document]) -> None:
    """(2) A new 智能网联汽车 document, filed after 生物医药 (entry 30 after renumbering)."""
    lines: list[str] = []
    for kind, text in NEW_DOCUMENT:
        lines.extend(wrap(text, BODY_WIDTH) if kind == "para" else [text])
    new = Document([])
    repaginate(new, lines)
    docs.insert(docs.index(find(docs, "生物医药")) + 1, new)


def raise_innovative_drug_caps(paras: list[Paragraph]) -> None:
    """(3) 生物医药 (五): the Ⅰ/Ⅱ期 caps rise; the Ⅲ期 cap stays 3000 万元."""
    edit(paras, "最高分别为 600 万元、1200 万元、3000 万元", "最高分别为 800 万元、1500 万元、3000 万元")


def raise_innovative_drug_share(paras: list[Paragraph]) -> None:
    """(4) 生物医药 (五): the share of R&D spending rises from 40% to 45%."""
    edit(paras, "不超过研发投入 40%,单个品种", "不超过研发投入 45%,单个品种")


def extend_biomed_validity(paras: list[Paragraph]) -> None:
    """(5) 生物医药 closing paragraph: valid one year longer."""
    edit(paras, "有效期至 2025 年 12 月 31 日", "有效期至 2026 年 12 月 31 日")


def change_ethics_cooperator(paras: list[Paragraph]) -> None:
    """(6) 生物医药 (九): the cooperating department is now 市科技局, not 市经信局."""
    [p] = [p for p in paras if p.text.startswith("(九)建立伦理协作审查工作机制")]
    assert p.text.endswith("(牵头单位:市卫生健康委员会,配合单位:市经信局)")
    p.set_text(p.text[:-len("市经信局)")] + "市科技局)")


def add_farm_culture_clause(paras: list[Paragraph]) -> None:
    """(7) 现代农业 二、工作重点: a new (十一) after (十), with no numbers, dates or departments."""
    i = next(k for k, p in enumerate(paras) if p.text.startswith("(十)守护农业安全"))
    new = Paragraph(["(十一)加强农耕文化传承。深入挖掘和保护利用茶文化、蚕桑丝织文化等"
                     "农业文化遗产资源,推动农业与文化、教育、旅游深度融合。鼓励各地结合乡村特色"
                     "举办农事节庆活动,讲好新时代杭州乡村振兴故事。"], dirty=True)
    paras.insert(i + 1, new)


def reword_rural_credit(paras: list[Paragraph]) -> None:
    """(8) 现代农业 三、(二): one sentence reworded, nothing countable touched."""
    edit(paras, "大力开展农户小额信用贷款、保单质押贷款、农机具和大棚设施抵押贷款业务。",
         "积极拓展农户小额信用贷款、保单质押贷款以及农机具和大棚设施抵押贷款业务。")


# ------------------------------------------------------------------ noise

def spell_out_science_bureau(paras: list[Paragraph]) -> None:
    """(n4) 生物医药 (四): the lead department by its full name, same department."""
    edit(paras, "(牵头单位:市科技局、市市场监管局,", "(牵头单位:杭州市科学技术局、市市场监管局,")


def renumber_entries(docs: list[Document]) -> None:
    """(n2) Entry numbers run on from the first numbered document (28 in 2024)."""
    seq = 28
    for doc in docs:
        for page in doc.pages:
            for k, line in enumerate(page.lines):
                if TITLE_LINE.match(line):
                    page.lines[k] = TITLE_LINE.sub(f"{seq}.", line)
                    seq += 1


def renumber_pages(docs: list[Document], first: int) -> None:
    """(n1) Consecutive PDF pages from `first`; printed numbers keep their offset."""
    number = first
    for doc in docs:
        for page in doc.pages:
            page.number, page.printed = number, number - PRINTED_OFFSET
            number += 1


# ------------------------------------------------------------------ the edition

def agriculture(doc: Document) -> None:
    """现代农业: changes (7), (8), and re-set at 25 characters a line (n3)."""
    paras = paragraphs(doc.lines, BODY_WIDTH - 1)     # this document is set a little narrower
    add_farm_culture_clause(paras)
    reword_rural_credit(paras)
    repaginate(doc, layout(paras, AGRI_WIDTH, rewrap_all=True))


def biomedicine(doc: Document) -> None:
    """生物医药: changes (3)-(6) and noise (n4); its first page (red header) is unchanged."""
    first_page = len(doc.pages[0].lines)
    paras = paragraphs(doc.lines, BODY_WIDTH)
    spell_out_science_bureau(paras)
    raise_innovative_drug_caps(paras)
    raise_innovative_drug_share(paras)
    change_ethics_cooperator(paras)
    extend_biomed_validity(paras)
    lines = layout(paras, BODY_WIDTH)
    assert lines[:first_page] == doc.pages[0].lines
    repaginate(doc, lines, first_page)


def make_2024(text: str) -> str:
    header, pages, footer = read_flipbook(text)
    docs = split_documents(pages)
    first = pages[0].number + PAGE_SHIFT
    remove_history_classics(docs)
    agriculture(find(docs, "现代农业"))
    biomedicine(find(docs, "生物医药"))
    add_connected_vehicles(docs)
    renumber_entries(docs)
    renumber_pages(docs, first)
    return write_flipbook(header, [p for d in docs for p in d.pages], footer)


def main() -> None:
    text = SRC.read_text(encoding="utf-8")
    header, pages, footer = read_flipbook(text)
    assert write_flipbook(header, pages, footer) == text, "the reader must round-trip the seed"
    OUT.write_text(make_2024(text), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
