#!/usr/bin/env python3
"""Writes the fuzz targets' seeds (fuzz/seeds/TARGET/SHA1) from the project's test corpora.

Sources: the knowledge base's evidence corpus (crates/mailprobe-kb/tests/corpus/*.json: SMTP
replies, EHLO lists, 334 challenges, IMAP lines, token claims, DNS answers), the explain table
(crates/mailprobe/tests/explain_cases.tsv), the real-world cases' evidence
(crates/mailprobe/tests/realworld/*.toml), the log samples (crates/mailprobe-logs/tests/samples),
and, when scripts/testenv is running, its DNS zones and certificates. A few byte layouts no
corpus has (TLS ServerHellos and alerts, certificates made with openssl) are built here.

Each seed is laid out as its entry function in fuzz/src/lib.rs reads it (a leading byte that
picks the read sizes, the mechanism or the log format). The seeds are committed: run this again
when the corpora change. Usage: fuzz/seed.py
"""

import base64
import glob
import gzip
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
TESTENV = os.environ.get("MAILPROBE_TESTENV", "/tmp/mailprobe-testenv")

# LogFormat::ALL's order (crates/mailprobe-logs/src/analyze/mod.rs); len(FORMATS) = detect.
FORMATS = [
    "exchange-csv", "postfix", "exim", "sendmail", "opensmtpd", "swaks", "openssl-s-client",
    "curl-verbose", "msmtp", "python-smtplib", "phpmailer", "nodemailer", "javamail",
    "outlook-windows", "outlook-mac", "dialogue",
]
DETECT = len(FORMATS)
# the mechanisms fuzz/src/lib.rs's `sasl` picks from
MECHANISMS = ["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER", "CRAM-MD5"]
# log sample file name prefix -> format
SAMPLE_FORMATS = {
    "exchange": "exchange-csv", "postfix": "postfix", "exim": "exim", "sendmail": "sendmail",
    "opensmtpd": "opensmtpd", "swaks": "swaks", "openssl": "openssl-s-client", "curl": "curl-verbose",
    "msmtp": "msmtp", "smtplib": "python-smtplib", "phpmailer": "phpmailer", "nodemailer": "nodemailer",
    "javamail": "javamail", "outlook-windows": "outlook-windows", "outlook-mac": "outlook-mac",
}

seeds = {}


def seed(target, data):
    if isinstance(data, str):
        data = data.encode()
    seeds.setdefault(target, set()).add(bytes(data))


def wire(reply):
    """An SMTP reply as the server sent it."""
    code, lines = reply["code"], reply.get("lines") or [""]
    out = []
    for i, line in enumerate(lines):
        sep = " " if i == len(lines) - 1 else "-"
        out.append(f"{code}{sep}{line}\r\n" if line or sep == "-" else f"{code}\r\n")
    return "".join(out).encode()


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(payload, header=None):
    header = header or {"alg": "RS256", "typ": "JWT", "kid": "k1"}
    h = b64url(json.dumps(header).encode())
    p = b64url(json.dumps(payload).encode())
    return f"{h}.{p}.{b64url(b'not-a-signature')}"


# JWT claim names of mailprobe's TokenClaims fields
CLAIMS = {"issuer": "iss", "audience": "aud", "scopes": "scp", "roles": "roles", "tenant": "tid",
          "client": "azp", "expires_at": "exp", "not_before": "nbf", "issued_at": "iat"}


def token_from_claims(c):
    p = {}
    for field, name in CLAIMS.items():
        if field in c:
            v = c[field]
            p[name] = " ".join(v) if field == "scopes" else v
    if c.get("user"):
        p[c.get("user_claim") or "upn"] = c["user"]
    return p


def dns_seed(domain, ip, answers):
    return f"{domain} {ip}\n" + "".join(f"{n} {t} {v}\n" for n, t, v in answers)


def from_kb_corpus():
    for path in sorted(glob.glob(os.path.join(ROOT, "crates/mailprobe-kb/tests/corpus/*.json"))):
        doc = json.load(open(path))
        for t in doc.get("transcripts", []):
            received, imap_lines, mech = [], [], None
            for e in t["events"]:
                kind = e.get("event")
                if kind == "sent" and e.get("line", "").upper().startswith("AUTH "):
                    mech = e["line"].split()[1].upper()
                elif kind == "received":
                    reply = e["reply"]
                    received.append(wire(reply))
                    if e.get("stage") == "ehlo" and reply["code"] == 250:
                        seed("ehlo", b"\x00" + wire(reply))
                        seed("ehlo", b"\x01" + wire(reply))
                    if reply["code"] == 334:
                        pick = MECHANISMS.index(mech) if mech in MECHANISMS else 0
                        seed("sasl", bytes([pick]) + wire(reply))
                elif kind == "imap_received":
                    imap_lines.append(e["line"])
                elif kind == "token_inspected":
                    claims = (e.get("inspection") or {}).get("claims")
                    if claims:
                        seed("token", jwt(token_from_claims(claims)))
                elif kind == "dns_checked":
                    dns_from_check(e["check"])
            if received:
                dialogue = b"".join(received)
                seed("smtp_reply", b"\x00" + dialogue)
                seed("smtp_reply", b"\x07" + dialogue)
            if imap_lines:
                text = "".join(l + "\r\n" for l in imap_lines).encode()
                seed("imap", b"\x00" + text)
                seed("imap", b"\x05" + text)


def dns_from_check(c):
    kind = c.get("kind")
    domain = c.get("domain", "example.test")
    if kind == "spf":
        answers = [(domain, "TXT", r) for r in c.get("records", [])]
        for step in c.get("chain", []):
            if step.get("record"):
                answers.append((step["domain"], "TXT", step["record"]))
        seed("dns", dns_seed(domain, c.get("ip") or "192.0.2.1", answers))
    elif kind == "mx":
        answers = [(domain, "MX", f'{r["preference"]} {r["host"]}') for r in c.get("records", [])]
        seed("dns", dns_seed(domain, "192.0.2.1", answers))
    elif kind == "dmarc" and c.get("record"):
        seed("dns", dns_seed(domain, "192.0.2.1", [(c.get("found_at") or f"_dmarc.{domain}", "TXT", c["record"])]))
    elif kind == "blocklist":
        answers = [(c.get("query", "x.zen.spamhaus.org"), "A", a["answer"]) for a in c.get("answers", [])]
        answers += [(c.get("query", "x.zen.spamhaus.org"), "TXT", t) for t in c.get("txt", [])]
        seed("dns", dns_seed(c.get("zone", "zen.spamhaus.org"), c.get("ip", "192.0.2.1"), answers))


def unescape(field):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "\\": "\\"}.get(m.group(1), m.group(0)), field)


def from_explain_table():
    path = os.path.join(ROOT, "crates/mailprobe/tests/explain_cases.tsv")
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 3:
            continue
        text = unescape(cols[1])
        seed("paste", text)
        replies = "".join(l + "\r\n" for l in text.split("\n") if re.match(r"^[2-5]\d\d([ -]|$)", l))
        if replies:
            seed("smtp_reply", b"\x03" + replies.encode())
        for m in re.finditer(r"\b334[ -](\S+)", text):
            seed("sasl", b"\x02" + f"334 {m.group(1)}\r\n".encode())


def from_realworld():
    for path in sorted(glob.glob(os.path.join(ROOT, "crates/mailprobe/tests/realworld/*.toml"))):
        with open(path, "rb") as f:
            case = tomllib.load(f)
        evidence = case.get("evidence", "")
        if not evidence:
            continue
        seed("paste", evidence)
        seed("analyze", bytes([DETECT, 3]) + evidence.encode())
        for m in re.finditer(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", evidence):
            seed("token", m.group(0))


def from_log_samples():
    base = os.path.join(ROOT, "crates/mailprobe-logs/tests/samples")
    for path in sorted(glob.glob(os.path.join(base, "*", "*.log"))):
        data = open(path, "rb").read()
        name = os.path.basename(path)
        fmt = next((f for p, f in SAMPLE_FORMATS.items() if name.startswith(p)), None)
        for split in (0, 4, 63):
            seed("analyze", bytes([DETECT, split]) + data)
        if fmt:
            seed("analyze", bytes([FORMATS.index(fmt), 1]) + data)
        # and as another format's reader sees it
        seed("analyze", bytes([FORMATS.index("dialogue"), 0]) + data)
        seed("gzip", gzip.compress(data, mtime=0))
        seed("gzip", data)
        seed("paste", data[:8192])
    # two gzip members, as a rotated log catenated
    logs = sorted(glob.glob(os.path.join(base, "server", "*.log")))
    if len(logs) >= 2:
        a, b = (open(p, "rb").read() for p in logs[:2])
        seed("gzip", gzip.compress(a, mtime=0) + gzip.compress(b, mtime=0))


def from_testenv_zones():
    """The test DNS server's zones (scripts/testenv), each SPF name checked against them all."""
    zones = sorted(glob.glob(os.path.join(TESTENV, "aux", "zones", "*.zone")))
    answers = []
    for path in zones:
        origin = ""
        for line in open(path):
            # a comment starts at a `;` outside quotes (DMARC records are full of them)
            line = re.sub(r';[^"]*$', "", line).rstrip()
            if line.startswith("$ORIGIN"):
                origin = line.split()[1]
                continue
            if not line or line.startswith("$"):
                continue
            m = re.match(r'^(\S+)\s+(?:\d+\s+)?(?:IN\s+)?(TXT|A|AAAA|MX)\s+(.*)$', line)
            if not m:
                continue
            name, kind, value = m.groups()
            name = origin if name == "@" else (name if name.endswith(".") else f"{name}.{origin}")
            if kind == "TXT":
                value = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', value))
            answers.append((name.rstrip("."), kind, value))
    spf_names = sorted({n for n, k, v in answers if k == "TXT" and v.lower().startswith("v=spf1")})
    for name in spf_names:
        for ip in ("192.0.2.10", "198.51.100.1", "2001:db8::1"):
            seed("dns", dns_seed(name, ip, answers))


def der_certificates():
    """DER certificates: the test environment's, and a few openssl makes (RSA, EC, names)."""
    pems = sorted(glob.glob(os.path.join(TESTENV, "tls", "*.pem")))
    texts = [open(p).read() for p in pems]
    if shutil.which("openssl"):
        with tempfile.TemporaryDirectory() as tmp:
            variants = [
                ["-newkey", "rsa:2048", "-subj", "/CN=mail.example.test/O=Example", "-addext",
                 "subjectAltName=DNS:mail.example.test,DNS:*.example.test,IP:192.0.2.1,IP:2001:db8::1"],
                ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-subj", "/CN=xn--bcher-kva.example",
                 "-addext", "subjectAltName=DNS:xn--bcher-kva.example,email:a@example.test,URI:https://x.test/"],
                ["-newkey", "ed25519", "-subj", "/C=IT/ST=x/L=y/O=z/OU=w/CN=smtp.example.test/emailAddress=a@b.test",
                 "-days", "1"],
            ]
            for i, v in enumerate(variants):
                key, crt = os.path.join(tmp, f"{i}.key"), os.path.join(tmp, f"{i}.pem")
                cmd = ["openssl", "req", "-x509", "-nodes", "-keyout", key, "-out", crt, "-days", "30"] + v
                if subprocess.run(cmd, capture_output=True).returncode == 0:
                    texts.append(open(crt).read())
    for text in texts:
        for block in re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S):
            seed("certificate", base64.b64decode("".join(block.split())))


def tls_records():
    """ServerHellos (TLS 1.0 to 1.3, with and without extensions), alerts, and what a port
    that is not TLS answers."""
    def server_hello(version, extensions=b"", sid=b"\x11" * 32):
        body = version + b"\x42" * 32 + bytes([len(sid)]) + sid + b"\x13\x01" + b"\x00"
        if extensions is not None:
            body += struct.pack(">H", len(extensions)) + extensions
        hs = b"\x02" + struct.pack(">I", len(body))[1:] + body
        return b"\x16\x03\x03" + struct.pack(">H", len(hs)) + hs
    supported = lambda v: b"\x00\x2b\x00\x02" + v
    for v in (b"\x03\x01", b"\x03\x02", b"\x03\x03"):
        seed("tls_hello", server_hello(v, None))
        seed("tls_hello", server_hello(v, b"\xff\x01\x00\x01\x00"))
    tls13 = server_hello(b"\x03\x03", b"\x00\x33\x00\x04\x00\x1d\x00\x00" + supported(b"\x03\x04"))
    seed("tls_hello", tls13)
    seed("tls_hello", tls13 + b"\x14\x03\x03\x00\x01\x01")
    seed("tls_hello", server_hello(b"\x03\x03", supported(b"\x7f\x17"), sid=b""))
    for description in (70, 40, 80, 112, 0):
        seed("tls_hello", bytes([0x15, 3, 3, 0, 2, 2, description]))
    for text in (b"220 smtp.example.test ESMTP\r\n", b"HTTP/1.1 400 Bad Request\r\n\r\n",
                 b"* OK IMAP4rev1 ready\r\n", b"SSH-2.0-OpenSSH_9.6\r\n"):
        seed("tls_hello", text)
        seed("smtp_reply", b"\x01" + text)
        seed("imap", b"\x01" + text)


def tokens():
    """Tokens besides the corpus': the shapes `auth inspect` is given."""
    now = 1795514400
    seed("token", jwt({"aud": "https://outlook.office.com", "scp": "SMTP.Send", "upn": "alice@example.test",
                       "iss": "https://sts.windows.net/t/", "tid": "t", "exp": now + 3600, "nbf": now, "iat": now}))
    seed("token", jwt({"aud": ["https://graph.microsoft.com"], "roles": ["Mail.Send"], "exp": "1795514400"}))
    seed("token", jwt({"scope": "https://mail.google.com/ openid", "email": "a@gmail.com", "exp": 1.5e9}))
    seed("token", "ya29.a0AfH6SMBopaque-google-token")
    seed("token", "EwBwA8l6BAAUopaque")
    seed("token", "a.b.c")


def main():
    from_kb_corpus()
    from_explain_table()
    from_realworld()
    from_log_samples()
    from_testenv_zones()
    der_certificates()
    tls_records()
    tokens()
    if os.path.isdir(SEEDS):
        shutil.rmtree(SEEDS)
    for target, items in sorted(seeds.items()):
        d = os.path.join(SEEDS, target)
        os.makedirs(d)
        for data in items:
            with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
                f.write(data)
        print(f"{target:12} {len(items):4} seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
