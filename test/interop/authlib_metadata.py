"""Validate the service's RFC 8414 metadata with Authlib, as its docs show:

    AuthorizationServerMetadata(doc).validate()

Reads the metadata URL as argv[1], prints {"valid": true} or {"valid": false, "errors": [...]}, where the
errors are every field validator's complaint (validate() stops at the first), or {"skip": "..."} when
Authlib is missing. Run it with AUTHLIB_INSECURE_TRANSPORT=1 for an http issuer other than localhost:
Authlib's own switch for local development (without it the issuer must be https or http://localhost:).
"""
import json
import sys
import urllib.request


def main():
    try:
        import authlib
        from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
    except ImportError as error:
        print(json.dumps({"skip": "Authlib is not installed (%s)" % error}))
        return
    with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
        doc = json.load(response)
    metadata = AuthorizationServerMetadata(doc)
    errors = []
    for key in metadata.REGISTRY_KEYS:
        try:
            getattr(metadata, "validate_" + key)()
        except ValueError as error:
            errors.append(str(error))
    try:
        metadata.validate()
        valid = True
    except ValueError:
        valid = False
    print(json.dumps({"valid": valid, "errors": errors, "authlib": authlib.__version__}))


main()
