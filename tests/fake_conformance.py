#!/usr/bin/env python3
"""fake_conformance: replay the recorded gspread traffic against fakesheets.

usage: fake_conformance.py URL CA_FILE ACCESS_TOKEN CASSETTE_DIR

Each cassette holds recording sessions, one spreadsheet each.  A session's
first spreadsheets.get answer is loaded into the emulator (PUT /_fake/...),
then every recorded Sheets request is sent again, in order, with the same
path, query and body, and the answer is compared with the recorded one:
status, and the JSON body exactly (spreadsheets.get: the sheets' properties
and the top-level keys; errors: code, status, message).  addSheet requests
get the recorded sheetId added so later requests that name it still match.
Drive calls, 429 cassettes and reads of grid data (formats, values: not
modelled) are skipped; a read of notes only is compared, so Google's shape
for notes ("data":[{}] when there is none) is checked.  Exit 1 on any
mismatch.
"""
import http.client
import json
import os
import re
import ssl
import sys
import urllib.parse

url, cafile, token, cdir = sys.argv[1:5]
u = urllib.parse.urlparse(url)
ctx = ssl.create_default_context(cafile=cafile)


def call(method, path, body=None, auth=True):
    c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=30)
    h = {"Content-Type": "application/json"}
    if auth:
        h["Authorization"] = "Bearer " + token
    c.request(method, path, body=body.encode() if isinstance(body, str) else body,
              headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def sid_of(uri):
    p = urllib.parse.urlparse(uri).path
    if p.startswith("/v4/spreadsheets/"):
        rest = p[len("/v4/spreadsheets/"):]
        for sep in "/:":
            rest = rest.split(sep)[0]
        return rest
    return None


def skip(rq):
    uri = rq["uri"]
    if "sheets.googleapis.com" not in uri:
        return "drive"
    q = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)
    f = q.get("fields", [""])[0]
    # Notes are modelled (issue 13): a read of notes only is compared.
    if re.fullmatch(r"sheets[/.]data[/.]rowData[/.]values[/.]note", f):
        return None
    if "data" in f or q.get("includeGridData", ["false"])[0] == "true":
        return "grid data"
    if ":append" in uri:
        return "append"
    return None


def compare(rec_status, rec_body, status, body, is_get):
    if rec_status != status:
        return "status %s, recorded %s: %s" % (status, rec_status, body[:300])
    if not rec_body.strip():
        return None
    a, b = json.loads(rec_body), json.loads(body)
    if "error" in a:
        ka = {k: a["error"].get(k) for k in ("code", "status", "message")}
        kb = {k: b.get("error", {}).get(k) for k in ("code", "status", "message")}
        return None if ka == kb else "error %r != recorded %r" % (kb, ka)
    if is_get and "sheets" in a and "properties" in a:
        pa = [s["properties"] for s in a["sheets"]]
        pb = [s["properties"] for s in b.get("sheets", [])]
        if pa != pb:
            return "sheets %r != recorded %r" % (pb, pa)
        if set(a) != set(b):
            return "keys %r != recorded %r" % (sorted(b), sorted(a))
        return None
    return None if a == b else "body %s != recorded %s" % (
        json.dumps(b, ensure_ascii=False)[:400], json.dumps(a, ensure_ascii=False)[:400])


total = matched = skipped = 0
failures = []
for name in sorted(os.listdir(cdir)):
    if not name.endswith(".json") or name.startswith("429_"):
        continue
    inter = json.load(open(os.path.join(cdir, name)))["interactions"]
    loaded = set()
    for i, it in enumerate(inter):
        rq, rs = it["request"], it["response"]
        total += 1
        why = skip(rq)
        if why:
            skipped += 1
            continue
        sid = sid_of(rq["uri"])
        rstatus = rs["status"]["code"]
        rbody = rs["body"]["string"] or ""
        if sid not in loaded:
            loaded.add(sid)
            if rstatus == 200 and rq["method"] == "GET" and '"sheets"' in rbody:
                doc = json.loads(rbody)
                wb = {"spreadsheetId": sid,
                      "properties": {k: doc["properties"][k] for k in
                                     ("title", "locale", "timeZone", "autoRecalc")
                                     if k in doc["properties"]},
                      "sheets": [{"properties": s["properties"]} for s in doc["sheets"]]}
            elif rstatus == 403:
                wb = {"spreadsheetId": sid, "_fake": {"forbidden": True},
                      "sheets": [{"properties": {"sheetId": 0, "title": "Sheet1"}}]}
            else:
                wb = None
            if wb is not None:
                st, out = call("PUT", "/_fake/spreadsheets/" + sid, json.dumps(wb), False)
                if st != 200:
                    failures.append("%s #%d: cannot load state: %s" % (name, i, out[:200]))
                    continue
        p = urllib.parse.urlparse(rq["uri"])
        path = p.path + ("?" + p.query if p.query else "")
        body = rq.get("body")
        if body and '"addSheet"' in body and rstatus == 200:
            # Give the new sheet the recorded id, so later requests match.
            breq, brep = json.loads(body), json.loads(rbody)
            for rqq, rep in zip(breq["requests"], brep["replies"]):
                if "addSheet" in rqq:
                    rqq["addSheet"]["properties"]["sheetId"] = \
                        rep["addSheet"]["properties"]["sheetId"]
            body = json.dumps(breq)
        is_get = rq["method"] == "GET" and p.path.count("/") == 3
        st, out = call(rq["method"], path, body)
        why = compare(rstatus, rbody, st, out.decode("utf-8", "replace"), is_get)
        if why:
            failures.append("%s #%d %s %s: %s" % (name, i, rq["method"],
                            urllib.parse.unquote(path), why))
        else:
            matched += 1

for f in failures:
    print("MISMATCH", f)
print("%d recorded requests: %d matched, %d skipped, %d mismatched" %
      (total, matched, skipped, len(failures)))
sys.exit(1 if failures else 0)
