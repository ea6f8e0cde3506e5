"""One letter per household address: the key lives with households in crm
(crm.households.address_key); audiences use it to fold people at one address."""

from crm.households.address_key import address_key

__all__ = ["address_key"]
