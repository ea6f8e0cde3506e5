"""The outbox: the one way an email leaves the product.

- queue: a message is written as a row in the caller's transaction (`outbox_queue`,
  `outbox_queue_email`, `outbox_queue_composed` for appeals composed per donor when sent),
  and the sending task is woken when that transaction commits
- sending: workers claim due messages in chunks (row locks with SKIP LOCKED on PostgreSQL),
  compose, send them through django-anymail with several requests in flight, record each outcome
- esp: the ESP seam: the connection, what each error means (sent, retry later, refused,
  unknown), and asking the ESP whether a message of unknown outcome was taken
- sweep: messages a stopped worker held, and outcomes left unknown, settled with the ESP
- composers: the registry apps use to compose messages when they are sent

Exactly once: a message is marked 'sending' before its request goes out and never claimed
again; if the worker stops or the connection drops after the request went out, it becomes
'unknown' and is re-sent only after the ESP says it never took it.
"""
