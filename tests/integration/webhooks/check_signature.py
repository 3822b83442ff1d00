#!/usr/bin/python3
"""Verifies a recorded webhook request as a Standard Webhooks receiver would
(https://www.standardwebhooks.com), written apart from the stack's C code with Python's
hmac, hashlib and base64, and prints what it found as one JSON object:

    /usr/bin/python3 check_signature.py REQ_JSON SECRET [SECRET ...]

REQ_JSON is a request receiver.py recorded (req-N.json). Each SECRET is "whsec_" and the
base64 of the key bytes (the prefix is optional, as in the reference libraries). The signed
content is "{webhook-id}.{webhook-timestamp}.{body}" with the body's exact bytes
(body_b64); its signature is base64(HMAC-SHA256(key, content)), sent as "v1,<signature>"
in webhook-signature, several space-separated while a secret rotates.

  id, timestamp   the webhook-id and webhook-timestamp headers as sent (null when absent)
  timestamp_s     the timestamp as an integer when it is all decimal digits, else null
  signatures      the v1 signatures present, in order
  others          the entries of webhook-signature that are not "v1,<something>"
  matched         the indexes (0-based, in argument order) of the secrets whose signature
                  is present; none when the id or timestamp is missing
  body_json_ok    whether the body is UTF-8 that parses as JSON

Exits 0 whatever it found; 2 when the file cannot be read or a secret is no base64.
"""

import base64
import binascii
import hashlib
import hmac
import json
import sys

PREFIX = "whsec_"


def key_of(secret):
    if secret.startswith(PREFIX):
        secret = secret[len(PREFIX):]
    return base64.b64decode(secret, validate=True)


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: check_signature.py REQ_JSON SECRET [SECRET ...]\n")
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            req = json.load(f)
        headers = req["headers"]
        body = base64.b64decode(req["body_b64"], validate=True)
    except (OSError, ValueError, KeyError, TypeError, binascii.Error) as e:
        sys.stderr.write("check_signature.py: cannot read %s: %s\n" % (sys.argv[1], e))
        return 2
    keys = []
    for i, secret in enumerate(sys.argv[2:]):
        try:
            keys.append(key_of(secret))
        except (ValueError, binascii.Error) as e:
            sys.stderr.write("check_signature.py: secret %d is no base64: %s\n" % (i, e))
            return 2

    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures, others = [], []
    for entry in (headers.get("webhook-signature") or "").split():
        version, sep, value = entry.partition(",")
        if version == "v1" and sep and value:
            signatures.append(value)
        else:
            others.append(entry)

    matched = []
    if msg_id is not None and timestamp is not None:
        content = msg_id.encode() + b"." + timestamp.encode() + b"." + body
        for i, key in enumerate(keys):
            expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest())
            # Every entry compared, in constant time, as a receiver should.
            found = False
            for sig in signatures:
                found |= hmac.compare_digest(expected, sig.encode("utf-8", "replace"))
            if found:
                matched.append(i)

    try:
        json.loads(body.decode("utf-8"))
        body_json_ok = True
    except ValueError:  # UnicodeDecodeError is one
        body_json_ok = False

    ts_digits = timestamp is not None and timestamp.isascii() and timestamp.isdigit()
    json.dump({
        "id": msg_id,
        "timestamp": timestamp,
        "timestamp_s": int(timestamp) if ts_digits else None,
        "signatures": signatures,
        "others": others,
        "matched": matched,
        "body_json_ok": body_json_ok,
    }, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
