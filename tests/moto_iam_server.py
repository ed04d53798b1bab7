"""moto's server with one test-only patch, for tests that enforce IAM.

With IAM enforced, moto fails (500) on a presigned S3 URL: its authorizer reads the
``Authorization`` header, which a presigned request does not have. On AWS a presigned
URL is allowed when its signer may make the call; here it is served, so only the
signer's own calls are checked (moderation's role reads the photos it shows the crowd).

Run as ``python -m tests.moto_iam_server -H 127.0.0.1 -p PORT``.
"""

from __future__ import annotations

import sys
from typing import Any

from moto.core.authorization import ActionAuthenticatorMixin
from moto.server import main

_authorize = ActionAuthenticatorMixin._authenticate_and_authorize_action


def _authorize_unless_presigned(self: Any, iam_request_cls: type, resource: str = "*") -> None:
    query = getattr(self, "querystring", {})
    if "Authorization" not in self.headers and ({"Signature", "X-Amz-Signature"} & set(query)):
        return
    _authorize(self, iam_request_cls, resource)


if __name__ == "__main__":
    ActionAuthenticatorMixin._authenticate_and_authorize_action = _authorize_unless_presigned
    main(sys.argv[1:])
