#!/usr/bin/env python3
"""rules_cmp: compare two `check --format json` documents (A: reference, B: syncd).

Compares today, the summary rows (every count, percent, errors, warnings) and
the multiset of findings as (rule, severity, tab, row, key, column), a null
field equal to an absent one.  Messages are ignored.  Prints each difference,
exits 1 when there is one.
Usage: rules_cmp.py REF.json GOT.json [--quiet]
"""
import collections
import json
import sys


def fkey(f):
    return tuple(f.get(k) for k in ("rule", "severity", "tab", "row", "key", "column"))


def main():
    a = json.load(open(sys.argv[1], encoding="utf-8"))
    b = json.load(open(sys.argv[2], encoding="utf-8"))
    diffs = []
    if a.get("today") != b.get("today"):
        diffs.append("today: %r vs %r" % (a.get("today"), b.get("today")))
    sa, sb = a.get("summary", []), b.get("summary", [])
    if len(sa) != len(sb):
        diffs.append("summary rows: %d vs %d" % (len(sa), len(sb)))
    for ra, rb in zip(sa, sb):
        for k in sorted(set(ra) | set(rb)):
            if ra.get(k) != rb.get(k):
                diffs.append("summary %s.%s: ref %r, syncd %r"
                             % (ra.get("district"), k, ra.get(k), rb.get(k)))
    ca = collections.Counter(fkey(f) for f in a.get("discrepancies", []))
    cb = collections.Counter(fkey(f) for f in b.get("discrepancies", []))
    for k in sorted(set(ca) | set(cb), key=repr):
        if ca[k] != cb[k]:
            diffs.append("finding %r: ref %d, syncd %d" % (k, ca[k], cb[k]))
    # DOMAIN.md: errors first.
    sev = [f.get("severity") for f in b.get("discrepancies", [])]
    if "warning" in sev and "error" in sev[sev.index("warning"):]:
        diffs.append("syncd: an error after a warning")
    for d in diffs[:40]:
        print(d)
    if len(diffs) > 40:
        print("... %d differences in all" % len(diffs))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
