"""Verify one access token with PyJWT as its docs show: PyJWKClient(jwks_uri) + jwt.decode.

Reads {"jwks_uri", "issuer", "audience", "alg", "token"} as JSON on stdin (or nothing with --versions)
and prints one JSON object: {"accepted": true} or {"accepted": false, "error": "..."}, plus the versions
it ran with, or {"skip": "..."} when PyJWT (or the cryptography package it needs) is missing.
"""
import json
import sys


def versions(jwt):
    try:
        import cryptography

        crypto = cryptography.__version__
    except ImportError:
        crypto = None
    return {"pyjwt": jwt.__version__, "cryptography": crypto}


def main():
    try:
        import jwt
    except ImportError as error:
        print(json.dumps({"skip": "PyJWT is not installed (%s)" % error}))
        return
    if sys.argv[1:] == ["--versions"]:
        print(json.dumps(versions(jwt)))
        return
    request = json.load(sys.stdin)
    try:
        client = jwt.PyJWKClient(request["jwks_uri"])
        key = client.get_signing_key_from_jwt(request["token"])
        jwt.decode(
            request["token"],
            key.key,
            algorithms=[request["alg"]],
            audience=request["audience"],
            issuer=request["issuer"],
        )
        print(json.dumps({"accepted": True}))
    except Exception as error:  # the matrix records whatever PyJWT raised
        print(json.dumps({"accepted": False, "error": "%s: %s" % (type(error).__name__, error)}))


main()
