#!/usr/bin/python3
"""Reads an RFC 5322 file the way a mail client would, with Python's email package, and
prints what it found as one JSON object for the C tests to compare:

    /usr/bin/python3 check_mail.py FILE

  from, to        {"name", "email"} as email.policy.default reads them, and "name_rfc2047"
                  as RFC 2047 §6.2 reads the phrase (the fold between two encoded-words
                  dropped; policy.default keeps a space there in address headers)
  subject, date, message_id, mime_version, content_type
  parts           [{"type", "charset", "cte", "content"}] of the leaf parts, in order,
                  the content decoded with its line ends as LF
  defects         every defect the parser noted, in any header or part
  max_line, bare_lf, eight_bit
                  the longest line (without CRLF), whether any LF lacks its CR (or any
                  CR its LF), whether any byte is not 7-bit
"""

import email
import email.header
import email.policy
import email.utils
import json
import sys


def address(msg, name):
    header = msg[name]
    defects = [str(d) for d in header.defects]
    addrs = header.addresses
    raw = msg.get_all(name, [])
    # compat32's decoder follows RFC 2047 §6.2 to the letter.
    phrase, addr = email.utils.parseaddr(str(email.header.make_header(
        email.header.decode_header(raw[0].replace("\r\n", ""))))) if raw else ("", "")
    out = {"count": len(addrs), "name_rfc2047": phrase, "defects": defects}
    if addrs:
        out.update(name=addrs[0].display_name, email=addrs[0].addr_spec)
    return out


def main():
    data = open(sys.argv[1], "rb").read()
    msg = email.message_from_bytes(data, policy=email.policy.default)
    raw = email.message_from_bytes(data, policy=email.policy.compat32)
    defects = [str(d) for d in msg.defects]
    parts = []
    for part in msg.walk():
        defects += [str(d) for d in part.defects]
        if part.is_multipart():
            continue
        content = part.get_content()
        parts.append({
            "type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "cte": part.get("Content-Transfer-Encoding"),
            "content": content.replace("\r\n", "\n") if isinstance(content, str) else None,
        })
    lines = data.split(b"\r\n")
    out = {
        "from": address(msg, "From"),
        "to": address(msg, "To"),
        "subject": str(msg["Subject"]),
        "date": str(msg["Date"]),
        "date_utc": msg["Date"].datetime.isoformat() if msg["Date"] else None,
        "message_id": str(msg["Message-ID"]),
        "mime_version": str(msg["MIME-Version"]),
        "content_type": msg.get_content_type(),
        "headers": [k for k, _ in raw.items()],
        "parts": parts,
        "defects": defects,
        "max_line": max(len(line) for line in lines),
        "bare_lf": any(b"\n" in line or b"\r" in line for line in lines),
        "eight_bit": any(b > 127 for b in data),
    }
    json.dump(out, sys.stdout)  # ASCII: \u escapes, whatever the locale
    return 0


if __name__ == "__main__":
    sys.exit(main())
