#!/usr/bin/env python3
"""rules_ref: an independent reference implementation of DOMAIN.md's rules.

Written from /work/shared/DOMAIN.md and DESIGN.md ("check --format json",
"Workbook file") alone, without reading rules/*.c, so that tests/t_rules_ref.sh
can compare `syncd check --format json` with a second reading of the spec.
It prints the same JSON document shape (messages are placeholders: the
comparison ignores them).

Usage: rules_ref.py --workbook FILE.json [--today YYYY-MM-DD] [-c syncd.conf]

Only the default layout of DOMAIN.md is built in; -c reads the few keys a
fixture may change (districts, dates, minimums, heading_row, tab names) with
a deliberately small libconfig subset: `name = value;` and `name = [ ... ];`.

Choices where DOMAIN.md is silent (each is one place below, named CHOICE;
"the engine's" marks a choice first made in rules/*.c and adopted here after
review):
- a cell is empty when absent, null, or a string of only white space;
- a status cell holding an empty mark (0, FALSE) does not make a row content
  (rows of unticked checkboxes are skipped; the engine was changed to agree);
- numbers in marks match by value ("1.0", "1E0"), TRUE/FALSE in any case;
- an invalid mark counts as a mark for status.multiple (DOMAIN.md's example
  "an invalid mark and a second mark gets both"); its column is the first
  non-empty status cell;
- a heading present twice in the heading row: the first column wins; a
  heading that matches nowhere gets a second chance with white space removed;
- district.no_developable only on tabs whose rows were read (the lead's
  decision); numeric TEXT in the date cell is no serial (the lead's decision);
- dates: also the spoken short months (กุมภา), "พ.ศ." before the year, spaces
  around separators; a serial below 1 is invalid;
- percent rounds half up on the exact quotient (1/32 -> 3.13);
- Thai spellings that render alike (DOMAIN.md): beyond the decomposed SARA
  AM (with a tone mark inside it, too), a tone mark typed before the vowel
  above or below it and SARA E typed twice for SARA AE are folded (the
  engine's);
- a tab that is not a district (no required heading) is named by its
  tab.not_district finding but sorts and counts with the sheet-level ones.
"""

import argparse
import datetime
import json
import re
import sys
from decimal import Decimal, ROUND_HALF_UP
from fractions import Fraction

# ---------------------------------------------------------------------------
# Configuration (DOMAIN.md defaults)

DEFAULT_FIELDS = [
    ("key", "รหัสบ้าน"),
    ("name", "ชื่อ - สกุล หัวหน้าครัวเรือน"),
    ("house_no", "บ้านเลขที่"),
    ("moo", "หมู่ที่"),
    ("tambon", "ตำบล"),
    ("income", "รายได้เฉลี่ย (บาท/คน/ปี)"),
    ("status.developable", "คร. ที่พัฒนาได้"),
    ("status.welfare", "คร. ที่ขอรับการสงเคราะห์"),
    ("status.self_reliant", "คร. ที่พึ่งตนเองได้ (ไม่ขอรับความช่วยเหลือ)"),
    ("status.other", "คร. อื่น ๆ (เช่น เสียชีวิต/ย้าย)"),
    ("activity.name", "ชื่อกิจกรรมพัฒนา"),
    ("activity.method", "วิธีการ/ขั้นตอนการดำเนินการกิจกรรมการพัฒนา"),
    ("activity.date", "วันที่ดำเนินการ"),
    ("activity.place", "สถานที่ดำเนินการ"),
    ("activity.agency", "หน่วยดำเนินการ (หลัก/ร่วม)"),
    ("activity.result", "ผลที่ได้รับ/ความสำเร็จของการดำเนินงาน"),
]


def ymd(s):
    return datetime.date.fromisoformat(s)


class Config:
    def __init__(self):
        self.fields = list(DEFAULT_FIELDS)
        self.fiscal_year_start = ymd("2023-10-01")
        self.classification_deadline = ymd("2024-01-31")
        self.activity_deadline = ymd("2024-03-20")
        self.district_minimum = 1
        self.province_minimum = 10
        self.heading_row = 2
        self.districts = []
        self.summary_tab = "สรุปข้อมูล"
        self.discrepancy_tab = "ตรวจสอบข้อมูล"
        self.total_label = "รวมทั้งจังหวัด"

    def load(self, path):
        text = open(path, encoding="utf-8").read()
        text = re.sub(r"#[^\n]*", "", text)
        for m in re.finditer(r"(\w+)\s*=\s*(\[[^\]]*\]|\"[^\"]*\"|[-\d.]+)\s*;", text):
            name, val = m.group(1), m.group(2)
            if val.startswith("["):
                items = re.findall(r"\"([^\"]*)\"", val)
                if name == "districts":
                    self.districts = items
            elif val.startswith('"'):
                s = val[1:-1]
                if name in ("fiscal_year_start", "classification_deadline",
                            "activity_deadline"):
                    setattr(self, name, ymd(s))
                elif name in ("summary_tab", "discrepancy_tab", "total_label"):
                    setattr(self, name, s)
            elif name in ("district_minimum", "province_minimum", "heading_row"):
                setattr(self, name, int(val))


# ---------------------------------------------------------------------------
# Cells.  A cell is (kind, text): kind in "empty", "string", "number", "bool";
# numbers keep their JSON literal text.

THAI_DIGITS = {ord("๐") + i: str(i) for i in range(10)}
# Unicode White_Space (PropList.txt), plus the zero-width space DOMAIN.md
# names and the byte-order mark pasted from the web.
SPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
            "\u200b\ufeff") | {chr(c) for c in range(0x2000, 0x200b)}


def is_space(ch):
    return ch in SPACE


TONES = "\u0e48\u0e49\u0e4a\u0e4b\u0e4c"
VOWEL_MARKS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47"


def thai_fold(s):
    """DOMAIN.md's Thai spellings that render alike, read as one."""
    out = []
    i = 0
    while i < len(s):
        a = s[i]
        b = s[i + 1] if i + 1 < len(s) else ""
        c = s[i + 2] if i + 2 < len(s) else ""
        if a == "\u0e4d" and b == "\u0e32":
            out.append("\u0e33")
            i += 2
        elif a == "\u0e4d" and b and b in TONES[:4] and c == "\u0e32":
            out.append(b + "\u0e33")
            i += 3
        elif a in TONES and b and b in VOWEL_MARKS:
            out.append(b + a)
            i += 2
        elif a == "\u0e40" and b == "\u0e40":
            out.append("\u0e41")
            i += 2
        else:
            out.append(a)
            i += 1
    return "".join(out)


def collapse(s):
    s = thai_fold(s)
    out = []
    pending = False
    for ch in s:
        if is_space(ch):
            pending = True
            continue
        if pending and out:
            out.append(" ")
        pending = False
        out.append(ch)
    return "".join(out)


def strip_space(s):
    return collapse(s)  # trimmed, inner runs collapsed (only used for tests of emptiness)


def thai_digits(s):
    return s.translate(THAI_DIGITS)


class RawNumber(str):
    pass


def load_workbook(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_float=RawNumber, parse_int=RawNumber)


def cell_of(row, i):
    if i is None or i < 0 or i >= len(row):
        return ("empty", "")
    v = row[i]
    if v is None:
        return ("empty", "")
    if isinstance(v, bool):
        return ("bool", "TRUE" if v else "FALSE")
    if isinstance(v, RawNumber):
        return ("number", str(v))
    if isinstance(v, str):
        return ("string", v)
    return ("string", json.dumps(v, ensure_ascii=False))  # arrays/objects: text


def is_empty(cell):
    # CHOICE: white space only is empty.
    kind, text = cell
    if kind == "empty":
        return True
    if kind == "string":
        return collapse(text) == ""
    return False


def number_value(text):
    """Decimal of a plain number spelling, or None."""
    t = text.strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", t):
        return None
    try:
        return Decimal(t)
    except Exception:
        return None


DEFAULT_MARKS_SET = ["1", "TRUE"]
DEFAULT_MARKS_EMPTY = ["0", "FALSE"]


def mark_of(cell):
    """'empty', 'marked' or 'invalid'."""
    kind, text = cell
    if kind == "empty":
        return "empty"
    t = collapse(thai_digits(text))
    if t == "":
        return "empty"
    for name, marks in (("marked", DEFAULT_MARKS_SET), ("empty", DEFAULT_MARKS_EMPTY)):
        for m in marks:
            if t.upper() == m.upper():
                return name
            mv, tv = number_value(m), number_value(t)
            if mv is not None and tv is not None and mv == tv:
                return name
    return "invalid"


def key_of(cell):
    kind, text = cell
    if kind == "empty":
        return ""
    if kind == "number":
        v = number_value(text)
        if v is not None and v == v.to_integral_value():
            return str(abs(int(v)))
        return text
    t = thai_fold(thai_digits(text))
    # CHOICE (the engine's): Unicode dashes count as hyphens.
    dashes = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
    return "".join(ch for ch in t if not is_space(ch) and ch not in dashes)


# ---------------------------------------------------------------------------
# Dates

MONTHS_FULL = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
               "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]
MONTHS_ABBR = ["มค", "กพ", "มีค", "เมย", "พค", "มิย", "กค", "สค", "กย", "ตค", "พย", "ธค"]
# CHOICE (the engine's, kept): beyond DOMAIN.md's list, the spoken short
# forms (กุมภา), the ฏ misspelling of July and "พ.ศ." before the year.
MONTHS_SHORT = ["มกรา", "กุมภา", "มีนา", "เมษา", "พฤษภา", "มิถุนา", "กรกฎา", "สิงหา",
                "กันยา", "ตุลา", "พฤศจิกา", "ธันวา"]
MONTHS_MISSPELT = {"กรกฏาคม": 7, "กรกฏา": 7}
SERIAL_EPOCH = datetime.date(1899, 12, 30)


def make_date(y, m, d, ylen):
    if ylen == 2:
        y = 2500 + y - 543
    elif ylen == 4:
        if y > 2400:
            y -= 543
    else:
        return None
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


def parse_date(cell):
    kind, text = cell
    if kind == "number":
        v = number_value(text)
        if v is None:
            return None
        if v < 1:
            return None  # CHOICE (the engine's): serial 0 and below is no date
        try:
            days = int(v.to_integral_value(rounding="ROUND_FLOOR"))
            dt = SERIAL_EPOCH + datetime.timedelta(days=days)
        except (OverflowError, ValueError, ArithmeticError):
            return None
        if dt.year > 2400:
            try:
                dt = dt.replace(year=dt.year - 543)
            except ValueError:
                return None
        return dt
    if kind != "string":
        return None  # booleans are no date
    t = collapse(thai_digits(text))
    # CHOICE (the engine's): spaces around the separators ("15 / 02 / 2567").
    t = re.sub(r" ?([/.-]) ?(?=\d)", r"\1", t) if re.fullmatch(r"[\d /.-]+", t) else t
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        return make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), 4)
    m = re.fullmatch(r"(\d{1,2})([/.-])(\d{1,2})\2(\d+)", t)
    if m:
        return make_date(int(m.group(4)), int(m.group(3)), int(m.group(1)), len(m.group(4)))
    m = re.fullmatch(r"(\d{1,2}) ?([^\d ]+(?: [^\d ]+)*?) ?(\d+)", t)
    if m:
        word = m.group(2).replace(".", "").replace(" ", "")
        if word.endswith("พศ") and len(word) > 2:
            word = word[:-2]
        mon = MONTHS_MISSPELT.get(word)
        if word in MONTHS_SHORT:
            mon = MONTHS_SHORT.index(word) + 1
        if word in MONTHS_FULL:
            mon = MONTHS_FULL.index(word) + 1
        elif word in MONTHS_ABBR:
            mon = MONTHS_ABBR.index(word) + 1
        if mon is None:
            return None
        return make_date(int(m.group(3)), mon, int(m.group(1)), len(m.group(3)))
    return None


# ---------------------------------------------------------------------------
# Evaluation

def letters_col(h):
    if not re.fullmatch(r"[A-Z]{1,3}", h):
        return None
    n = 0
    for ch in h:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


RULE_ORDER = ["status.missing", "status.multiple", "status.invalid_mark",
              "activity.missing", "activity.incomplete", "activity.not_developable",
              "activity.date_invalid", "activity.date_out_of_window",
              "household.key_missing", "household.duplicate", "tab.missing",
              "tab.not_district", "tab.header_missing", "district.no_developable",
              "province.below_minimum"]


def role_of(name):
    if name == "key":
        return "key"
    if name.startswith("status."):
        return "status"
    if name.startswith("activity."):
        return "activity"
    return "info"


def evaluate(wb, cfg, today):
    fields = [(n, h, role_of(n)) for n, h in cfg.fields]
    tabs = [(s.get("properties", {}).get("title", ""), s.get("values", []) or [])
            for s in wb.get("sheets", [])]
    not_districts = []
    by_title = {}
    for t, v in tabs:
        by_title.setdefault(t, v)
    if cfg.districts:
        names = []
        for t in cfg.districts:
            if t not in names:
                names.append(t)  # CHOICE (the engine's): listed twice, read once
        districts = [(t, by_title.get(t)) for t in names]
    else:
        districts = [(t, v) for t, v in tabs
                     if t not in (cfg.summary_tab, cfg.discrepancy_tab)]
        # DOMAIN.md: a tab with none of the required headings is no district.
        req = [collapse(h) for n, h in cfg.fields if role_of(n) != "info"]
        if req and not any(letters_col(h) is not None
                           for n, h in cfg.fields if role_of(n) != "info"):
            kept = []
            for t, v in districts:
                rows = [[collapse(cell_of([c], 0)[1]) for c in (r or [])]
                        for r in v[max(cfg.heading_row - 2, 0):cfg.heading_row]]
                found = set()
                for r in rows:
                    found |= set(r) | {x.replace(" ", "") for x in r}
                if any(h in found or h.replace(" ", "") in found for h in req):
                    kept.append((t, v))
                else:
                    not_districts.append(t)
            districts = kept

    status_names = [n for n, _, r in fields if r == "status"]
    cls_sev = "warning" if today <= cfg.classification_deadline else "error"
    act_sev = "warning" if today <= cfg.activity_deadline else "error"
    hi = min(today, cfg.activity_deadline)

    findings = []
    summary = []
    seen_keys = set()

    field_ix = {n: i for i, (n, _, _) in enumerate(fields)}
    tab_ix = {}

    def add(rule, sev, tab, row=None, key=None, column=None, field=None, sheet=False):
        # The sort key: errors first (DOMAIN.md), then rules.h's order: tab
        # order (sheet-level last), row, column (the table of headings),
        # then the order of DOMAIN.md's table of rules.
        order = (0 if sev == "error" else 1,
                 tab_ix.setdefault(tab, len(tab_ix))
                 if tab is not None and not sheet else 1 << 30,
                 row or 0, field_ix.get(field, -1), RULE_ORDER.index(rule))
        findings.append({"rule": rule, "severity": sev, "tab": tab, "row": row,
                         "key": key, "column": column, "_order": order,
                         "_sheet": sheet or tab is None})

    for title, values in districts:
        counts = {"households": 0, "unclassified": 0, "developed": 0}
        for n in status_names:
            counts[n] = 0
        start = len(findings)
        if values is None:
            add("tab.missing", "error", title)
            summary.append((title, counts, start))
            continue
        hrow = values[cfg.heading_row - 1] if len(values) >= cfg.heading_row else []
        heads = []
        for c in hrow:
            k, t = cell_of([c], 0)
            heads.append(collapse(t) if k != "empty" else "")
        cols = {}
        missing_required = False
        for n, h, r in fields:
            nh = collapse(h)
            col = letters_col(h)
            if col is None:
                col = heads.index(nh) if nh in heads else None  # CHOICE: first wins
            if col is None:
                # CHOICE (the engine's, kept): a second chance with all white
                # space removed, for Thai headings broken by Alt+Enter.
                folded = [x.replace(" ", "") for x in heads]
                nf = nh.replace(" ", "")
                col = folded.index(nf) if nf and nf in folded else None
            cols[n] = col
            if col is None:
                add("tab.header_missing", "error", title, column=nh, field=n)
                if r != "info":
                    missing_required = True

        def colname(n):
            c = cols[n]
            return heads[c] if c is not None and c < len(heads) else collapse(dict(cfg.fields)[n])

        if missing_required:
            summary.append((title, counts, start))
            continue
        mapped = [n for n, _, _ in fields if cols[n] is not None]
        key_name = [n for n, _, r in fields if r == "key"][0]
        act_names = [n for n, _, r in fields if r == "activity"]
        date_name = "activity.date"
        dev_name = "status.developable"
        for ri in range(cfg.heading_row, len(values)):
            row = values[ri] or []
            rownum = ri + 1
            cells = {n: cell_of(row, cols[n]) for n in mapped}
            content = False
            for n in mapped:
                c = cells[n]
                if role_of(n) == "status":
                    if mark_of(c) != "empty":  # CHOICE: 0/FALSE is no content
                        content = True
                elif not is_empty(c):
                    content = True
            if not content:
                continue
            key = key_of(cells[key_name])
            if key == "":
                add("household.key_missing", "error", title, rownum, None, colname(key_name), field=key_name)
                continue
            counts["households"] += 1
            if key in seen_keys:
                add("household.duplicate", "error", title, rownum, key, colname(key_name), field=key_name)
            seen_keys.add(key)
            marks = [(n, mark_of(cells[n])) for n in status_names]
            invalid = [n for n, m in marks if m == "invalid"]
            marked = [n for n, m in marks if m == "marked"]
            if invalid:
                add("status.invalid_mark", "error", title, rownum, key, colname(invalid[0]), field=invalid[0])
            # DOMAIN.md: "an invalid mark and a second mark gets both": an
            # invalid mark counts as a mark here; the column is the first
            # non-empty one.
            if len(marked) + len(invalid) >= 2:
                first = [n for n, m in marks if m != "empty"][0]
                add("status.multiple", "error", title, rownum, key, colname(first), field=first)
            if not marked and not invalid:
                add("status.missing", cls_sev, title, rownum, key, colname(status_names[0]), field=status_names[0])
            status = marked[0] if len(marked) == 1 and not invalid else None
            if status is None:
                counts["unclassified"] += 1
            else:
                counts[status] += 1
            filled = [n for n in act_names if not is_empty(cells[n])]
            empty = [n for n in act_names if is_empty(cells[n])]
            if status == dev_name:
                ok = True
                if not filled:
                    add("activity.missing", act_sev, title, rownum, key, colname(act_names[0]), field=act_names[0])
                    ok = False
                elif empty:
                    add("activity.incomplete", "error", title, rownum, key, colname(empty[0]), field=empty[0])
                    ok = False
                dc = cells[date_name]
                if not is_empty(dc):
                    d = parse_date(dc)
                    if d is None:
                        add("activity.date_invalid", "error", title, rownum, key,
                            colname(date_name), field=date_name)
                        ok = False
                    elif d < cfg.fiscal_year_start or d > hi:
                        add("activity.date_out_of_window", "error", title, rownum, key,
                            colname(date_name), field=date_name)
                        ok = False
                if ok:
                    counts["developed"] += 1
            elif status is not None and filled:
                add("activity.not_developable", "warning", title, rownum, key,
                    colname(filled[0]), field=filled[0])
        if counts[dev_name] < cfg.district_minimum:
            add("district.no_developable", cls_sev, title)
        summary.append((title, counts, start))

    for t in not_districts:
        add("tab.not_district", "warning", t, sheet=True)

    total_dev = sum(c["status.developable"] for _, c, _ in summary)
    if total_dev < cfg.province_minimum:
        add("province.below_minimum", cls_sev, None)

    def pct(dev, n):
        if n == 0:
            return 0.0
        q = Decimal(Fraction(dev * 100, n).numerator) / Decimal(Fraction(dev * 100, n).denominator)
        return float(q.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    out = []
    tot = {"households": 0, "unclassified": 0, "developed": 0, "errors": 0, "warnings": 0}
    for n in status_names:
        tot[n] = 0
    for title, c, _ in summary:
        e = sum(1 for f in findings if f["tab"] == title and not f["_sheet"]
                and f["severity"] == "error")
        w = sum(1 for f in findings if f["tab"] == title and not f["_sheet"]
                and f["severity"] == "warning")
        out.append(row_json(title, c, status_names, pct, e, w))
        for k in c:
            tot[k] += c[k]
    # Sheet-level findings count in the total row only; district rows are
    # summed (a tab title listed twice would count its findings twice).
    tot_e = sum(r["errors"] for r in out) + sum(
        1 for f in findings if f["_sheet"] and f["severity"] == "error")
    tot_w = sum(r["warnings"] for r in out) + sum(
        1 for f in findings if f["_sheet"] and f["severity"] == "warning")
    out.append(row_json(cfg.total_label, tot, status_names, pct, tot_e, tot_w))
    findings.sort(key=lambda f: f.pop("_order"))
    for f in findings:
        del f["_sheet"]
    for f in findings:
        f["message"] = f["rule"]
    return {"today": today.isoformat(), "summary": out, "discrepancies": findings}


def row_json(title, c, status_names, pct, e, w):
    r = {"district": title, "households": c["households"]}
    for n in status_names:
        r[n.split(".", 1)[1]] = c[n]
    r["unclassified"] = c["unclassified"]
    r["developed"] = c["developed"]
    r["percent"] = pct(c["developed"], c["status.developable"])
    r["errors"] = e
    r["warnings"] = w
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workbook", required=True)
    ap.add_argument("--today", default=None)
    ap.add_argument("-c", dest="config", default=None)
    a = ap.parse_args()
    cfg = Config()
    if a.config:
        cfg.load(a.config)
    today = ymd(a.today) if a.today else datetime.datetime.now(
        datetime.timezone(datetime.timedelta(hours=7))).date()
    rep = evaluate(load_workbook(a.workbook), cfg, today)
    json.dump(rep, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    errors = sum(1 for f in rep["discrepancies"] if f["severity"] == "error")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
