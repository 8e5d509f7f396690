"""Every `x-wechatpay-*` key: the WeChat Pay facts OpenAPI has no keyword for.

The spec builder writes them; the code generator, the bundle and the diff read them. Each is here because one of
those reads it: a key nothing reads is not written. Used as `ext.API`, after `from generator.spec import extensions
as ext`.
"""

from __future__ import annotations

# spec file
PAGE = "x-wechatpay-page"  # the page it was read from: `diff` names it, and it marks a file as one of our specs

# operation
API = "x-wechatpay-api"  # `v3` (JSON, RSA signatures) or `v2` (XML, `sign`): how the runtime speaks to it
CLIENT_CERT = "x-wechatpay-client-cert"  # the call needs the merchant's TLS client certificate
NONCELESS = "x-wechatpay-nonceless"  # an APIv2 call without `nonce_str` on the wire
BASE_URL = "x-wechatpay-base-url"  # the other host (Hong Kong, global, …) the page sends it to
BASE_URL_REQUIRED = "x-wechatpay-base-url-required"  # that host is a must, not an option: the client pins it
FRAGMENT = "x-wechatpay-fragment"  # the `#fragment` that ends a redirect URL the client builds
EITHER_OR = "x-wechatpay-either-or"  # query parameters of which one alternative is enough (the request check)
EVENT_TYPES = "x-wechatpay-event-types"  # a notification's `event_type` values: they key the webhook models

# response
UNSIGNED = "x-wechatpay-unsigned"  # the success answer carries no signature: the runtime must not demand one

# field or parameter
ENCRYPTED = "x-wechatpay-encrypted"  # `by-rsa-pubkey` (the client encrypts), `by-aes-gcm`/`by-aes-ecb` (resources)
CLIENT_FILLED = "x-wechatpay-client-filled"  # the runtime fills it (`nonce_str`, `sign`, `Wechatpay-Serial`)
INDEXED = "x-wechatpay-indexed"  # a numbered key family's row as written (`out_refund_no_$n`): one number per `$`

# the bundle (`wechatpay-codegen bundle`), for the tools that read it
BUNDLE = "x-wechatpay-bundle"  # marks a bundle this tool wrote: it may replace it, and nothing else
EXAMPLE = "x-wechatpay-example"  # a page example that fails its own schema, kept aside from `example`
