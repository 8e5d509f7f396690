"""Reading an answer: verified first, then returned, or raised as its typed error (APIv3 statuses, APIv2 codes)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from .errors import APIStatusError, SignatureVerificationError, status_error_class
from .prepare import Prepared
from .response import Response, record
from .secret import Secret
from .signing import KeyStore, lower_headers, verify
from .v2 import sign_matches

logger = logging.getLogger(__name__)


class AnswerReader:
    """Checks answers against the client's keys: WeChat Pay's (APIv3) and the APIv2 key."""

    def __init__(self, keys: KeyStore, apiv2_key: Secret[str] | None, clock: Callable[[], float]) -> None:
        self._keys = keys
        self._apiv2_key = apiv2_key
        self._clock = clock

    def interpret(self, prepared: Prepared, raw: Response, unsigned: bool) -> Response:
        """Verify, then return the response or raise its typed error."""
        logger.debug("%s %s -> %s (Request-ID %s)", prepared.method, prepared.url, raw.status_code, raw.request_id)
        if prepared.api == "v2":
            return record(self._interpret_v2(prepared, raw, unsigned))
        success = 200 <= raw.status_code < 300
        if (success and not unsigned) or (not success and "Wechatpay-Signature" in raw.headers):
            verify(self._keys, lower_headers(dict(raw.headers)), raw.content, self._clock())
        if success:
            return record(raw)
        raise status_error(raw)

    def _interpret_v2(self, prepared: Prepared, raw: Response, unsigned: bool) -> Response:
        """APIv2 errors arrive as HTTP 200 with return_code FAIL, often unsigned: raised as such, never returned.
        Any other XML answer must carry a `sign` that verifies, unless its docs show it unsigned (`unsigned`)."""
        if not 200 <= raw.status_code < 300:
            raise status_error(raw)
        if not prepared.xml_response and not raw.content.lstrip().startswith(b"<"):
            return raw  # a file (e.g. downloadbill)
        params = raw.xml()
        failure = _v2_failure(params)
        if failure is not None:
            raise api_error(raw, failure[0], failure[1], params)
        assert self._apiv2_key is not None
        sign_type = str(
            params.get("sign_type") or prepared.v2_sign_type
        )  # an answer naming its sign type is read by it
        if "sign" in params and not sign_matches(params, self._apiv2_key, sign_type):
            raise SignatureVerificationError("APIv2 response sign does not match")
        if "sign" not in params and not unsigned:
            raise SignatureVerificationError("APIv2 response carries no sign, and its docs do not mark it unsigned")
        if params.get("result_code") == "FAIL":  # genuine (verified), but the business call did not succeed
            raise api_error(raw, params.get("err_code") or "FAIL", params.get("err_code_des"), params)
        return raw


def status_error(raw: Response) -> APIStatusError:
    """The typed error of a non-2xx answer, with the `code`, `message` and `detail` of its JSON body."""
    code = message = detail = None
    try:
        data = json.loads(raw.content)
    except ValueError:
        data = None
    if isinstance(data, dict):
        code, message, detail = data.get("code"), data.get("message"), data.get("detail")
    elif raw.content:
        message = raw.content[:200].decode("utf-8", "replace")
    return api_error(raw, code, message, detail, status_error_class(raw.status_code))


def api_error(
    raw: Response,
    code: str | None,
    message: str | None,
    detail: Any,
    error_class: type[APIStatusError] = APIStatusError,
) -> APIStatusError:
    return error_class(
        raw.status_code, code=code, message=message, detail=detail, request_id=raw.request_id, body=raw.content
    )


def _v2_failure(params: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """(code, message) of an APIv2 answer that reports a failure of the call itself. Most answers carry
    `return_code`; some families (appauth) carry `retcode`/`retmsg` instead: an answer is read by what it has."""
    if "return_code" in params:
        if params["return_code"] == "SUCCESS":
            return None
        return str(params["return_code"] or "FAIL"), params.get("return_msg")
    if "retcode" in params and str(params["retcode"]) != "0":
        return str(params["retcode"]), params.get("retmsg")
    return None
