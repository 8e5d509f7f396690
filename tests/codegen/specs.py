"""Small hand-written spec fragments, in the spec format the README describes: one per kind of thing the generator meets."""

from __future__ import annotations

from typing import Any

from generator.spec.io import SpecFile, load_yaml

JSAPI = """
paths:
  /v3/pay/transactions/jsapi:
    post:
      summary: JSAPI下单
      description: 生成预支付交易单
      externalDocs: {url: https://pay.weixin.qq.com/doc/v3/merchant/4012791856}
      x-wechatpay-api: v3
      parameters:
        - {name: Wechatpay-Serial, in: header, required: true, schema: {type: string}, x-wechatpay-client-filled: true}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [appid, mchid, amount, payer]
              properties:
                appid: {type: string, description: 公众号ID}
                mchid: {type: string, description: 直连商户号}
                amount:
                  type: object
                  required: [total]
                  description: 订单金额
                  properties:
                    total: {type: integer, description: 总金额}
                    currency: {type: string, enum: [CNY]}
                limit_pay:
                  type: array
                  items: {type: string, enum: [no_balance, no_credit]}
                goods_detail:
                  type: array
                  items:
                    type: object
                    required: [quantity]
                    properties:
                      quantity: {type: integer}
                      unit_price: {type: number}
                payer:
                  type: object
                  required: [openid]
                  properties:
                    openid: {type: string}
                    identity:
                      type: object
                      properties:
                        name: {type: string, x-wechatpay-encrypted: by-rsa-pubkey}
            example:
              appid: wxd678efh567hg6787
              mchid: '1230000109'
              amount: {total: 100, currency: CNY}
              limit_pay: [no_balance]
              goods_detail: [{quantity: 1, unit_price: 8.5}]
              payer: {openid: oUpF8uMuAJO_M2pxb1Q9zNjWeS6o, identity: {name: 张三}}
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                type: object
                required: [prepay_id]
                properties:
                  prepay_id: {type: string, description: 预支付交易会话标识}
                  trade_state: {type: string, enum: [SUCCESS, CLOSED]}
"""

QUERY = """
paths:
  /v3/pay/transactions/id/{transaction_id}:
    get:
      summary: 微信支付订单号查询订单
      x-wechatpay-api: v3
      parameters:
        - {name: transaction_id, in: path, required: true, schema: {type: string}, example: '4200000985202103031441826014'}
        - {name: mchid, in: query, required: true, schema: {type: string}, example: '1230000109'}
      responses:
        '200':
          content:
            application/json:
              schema:
                type: object
                required: [transaction_id, out_trade_no, trade_state, amount]
                properties:
                  transaction_id: {type: string}
                  out_trade_no: {type: string}
                  trade_state: {type: string, enum: [SUCCESS, NOTPAY]}
                  amount:
                    type: object
                    properties:
                      total: {type: integer}
                  promotion_detail:
                    type: array
                    items:
                      type: object
                      properties:
                        coupon_id: {type: string}
"""

CLOSE = """
paths:
  /v3/pay/transactions/out-trade-no/{out_trade_no}/close:
    post:
      summary: 关闭订单
      x-wechatpay-api: v3
      parameters:
        - {name: out_trade_no, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [mchid], properties: {mchid: {type: string}}}
      responses:
        '204': {description: No Content}
"""

# The same path in another form (`-` vs `_`), and a keyword segment: both must stay reachable.
GLOBAL = """
paths:
  /v3/global/product_coupons/{stock_id}:
    patch:
      summary: 修改
      x-wechatpay-api: v3
      parameters:
        - {name: stock_id, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                class: {type: string, description: 关键字字段}
                Content-Type: {type: string}
                timeout: {type: integer}
      responses:
        '200':
          content:
            application/json:
              schema:
                type: object
                properties:
                  class: {type: string}
                  json: {type: string}
                  model_config: {type: string}
                  str: {type: string}
                  after: {type: string}
  /v3/global/product-coupons/{stock_id}:
    get:
      summary: 查询
      x-wechatpay-api: v3
      parameters:
        - {name: stock_id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          content: {application/json: {schema: {type: object, properties: {stock_id: {type: string}}}}}
"""

UNIFIEDORDER = """
paths:
  /pay/unifiedorder:
    post:
      summary: 统一下单
      x-wechatpay-api: v2
      requestBody:
        content:
          application/xml:
            schema:
              type: object
              required: [appid, total_fee]
              properties:
                appid: {type: string}
                total_fee: {type: integer}
                nonce_str: {type: string, x-wechatpay-client-filled: true}
                sign: {type: string, x-wechatpay-client-filled: true}
                detail:
                  type: string
                  contentMediaType: application/json
                  contentSchema:
                    type: object
                    properties:
                      cost_price: {type: integer}
            example: {appid: wx2421b1c4370ec43b, total_fee: 1, detail: {cost_price: 608800}}
      responses:
        '200':
          content:
            application/xml:
              schema:
                type: object
                required: [return_code]
                properties:
                  return_code: {type: string, enum: [SUCCESS, FAIL]}
                  total_fee: {type: integer}
"""

UPLOAD = """
paths:
  /v3/merchant/media/upload:
    post:
      summary: 图片上传
      x-wechatpay-api: v3
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file, meta]
              properties:
                file: {type: string, format: binary}
                meta:
                  type: object
                  required: [filename, sha256]
                  properties:
                    filename: {type: string}
                    sha256: {type: string}
      responses:
        '200':
          content: {application/json: {schema: {type: object, properties: {media_id: {type: string}}}}}
"""

DOWNLOAD = """
paths:
  /v3/billdownload/file:
    get:
      summary: 下载账单
      x-wechatpay-api: v3
      parameters:
        - {name: token, in: query, required: true, schema: {type: string}}
      responses:
        '200':
          x-wechatpay-unsigned: true
          content: {application/octet-stream: {schema: {type: string, format: binary}}}
"""

WEBHOOK = """
webhooks:
  TRANSACTION.SUCCESS:
    post:
      summary: 支付成功通知
      x-wechatpay-api: v3
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [id, event_type, resource]
              properties:
                id: {type: string}
                event_type: {type: string, enum: [TRANSACTION.SUCCESS]}
                resource:
                  type: object
                  properties:
                    algorithm: {type: string}
                    ciphertext:
                      type: string
                      x-wechatpay-encrypted: by-aes-gcm
                      contentMediaType: application/json
                      contentSchema:
                        type: object
                        required: [out_trade_no]
                        properties:
                          out_trade_no: {type: string}
                          amount: {type: object, properties: {total: {type: integer}}}
      responses: {'200': {description: OK}}
"""

V2_WEBHOOK = """
webhooks:
  v2/transaction-success:
    post:
      summary: 普通支付通知
      x-wechatpay-api: v2
      requestBody:
        content:
          application/xml:
            schema:
              type: object
              properties:
                return_code: {type: string}
                total_fee: {type: integer}
      responses: {'200': {description: OK}}
"""

# APIv2 answers as the service writes them: indexed families, nested elements; a request with an either-or group.
REFUNDQUERY = """
paths:
  /pay/refundquery:
    post:
      summary: 查询退款
      x-wechatpay-api: v2
      requestBody:
        content:
          application/xml:
            schema:
              type: object
              required: [appid]
              properties:
                appid: {type: string}
                transaction_id: {type: string}
                out_trade_no: {type: string}
                out_refund_no: {type: string}
                refund_id: {type: string}
                nonce_str: {type: string, x-wechatpay-client-filled: true}
                sign: {type: string, x-wechatpay-client-filled: true}
              anyOf:
                - {required: [transaction_id]}
                - {required: [out_trade_no]}
                - {required: [out_refund_no]}
                - {required: [refund_id]}
      responses:
        '200':
          content:
            application/xml:
              schema:
                type: object
                required: [return_code, refund_count]
                properties:
                  return_code: {type: string}
                  refund_count: {type: integer}
                  promotion_detail:
                    type: string
                    contentMediaType: application/json
                    contentSchema:
                      type: object
                      properties:
                        promotion_detail:
                          type: array
                          items: {type: object, properties: {promotion_id: {type: string}, amount: {type: integer}}}
                  coupon_detail:
                    type: string
                    contentMediaType: application/json
                    contentSchema:
                      type: object
                      required: [coupon_id]
                      properties: {coupon_id: {type: string}, amount: {type: integer}}
                  hblist:
                    type: object
                    properties:
                      hbinfo:
                        type: array
                        items: {type: object, properties: {openid: {type: string}, amount: {type: integer}}}
                patternProperties:
                  '^out_refund_no_(0|[1-9][0-9]*)$': {type: string, description: 商户退款单号, x-wechatpay-indexed: out_refund_no_$n}
                  '^coupon_refund_fee_(0|[1-9][0-9]*)_(0|[1-9][0-9]*)$':
                    {type: integer, description: 单个代金券退款金额, x-wechatpay-indexed: coupon_refund_fee_$n_$m}
"""

# A list operation: offset/limit in the query, the items in `data`, the total in `total_count`.
STOCKS = """
paths:
  /v3/marketing/favor/stocks:
    get:
      summary: 条件查询批次列表
      x-wechatpay-api: v3
      parameters:
        - {name: offset, in: query, required: true, schema: {type: integer}}
        - {name: limit, in: query, required: true, schema: {type: integer}}
        - {name: stock_creator_mchid, in: query, required: true, schema: {type: string}}
      responses:
        '200':
          content:
            application/json:
              schema:
                type: object
                properties:
                  total_count: {type: integer}
                  data:
                    type: array
                    items: {type: object, properties: {stock_id: {type: string}}}
"""

HOSTILE = '''
paths:
  /v3/hostile/{id}:
    delete:
      summary: "ends with a quote \\""
      description: "triple \\"\\"\\" quotes, a backslash \\\\ and \\\\n, jinja {{ x }} {% if %}, control \\x00\\x07\\x1b\\u2028 end\\\\"
      deprecated: true
      x-wechatpay-api: v3
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}, description: "\\"\\"\\""}
      responses:
        '204': {description: No Content}
'''

FIXTURES = {
    "openapi/v3/pay/transactions/jsapi": JSAPI,
    "openapi/v3/pay/transactions/id/{transaction_id}": QUERY,
    "openapi/v3/pay/transactions/out-trade-no/{out_trade_no}/close": CLOSE,
    "openapi/v3/global/product-coupons": GLOBAL,
    "openapi/v2/pay/unifiedorder": UNIFIEDORDER,
    "openapi/v2/pay/refundquery": REFUNDQUERY,
    "openapi/v3/marketing/favor/stocks": STOCKS,
    "openapi/v3/merchant/media/upload": UPLOAD,
    "openapi/v3/billdownload/file": DOWNLOAD,
    "webhook/v3/TRANSACTION.SUCCESS": WEBHOOK,
    "webhook/v2/transaction-success": V2_WEBHOOK,
    "openapi/v3/hostile": HOSTILE,
}


def spec(name: str, text: str) -> SpecFile:
    data: dict[str, Any] = load_yaml(text, name)
    return SpecFile(name, data)


def fixture_specs() -> list[SpecFile]:
    return [spec(name, text) for name, text in sorted(FIXTURES.items())]
