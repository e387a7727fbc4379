"""The sample order system and a few customer profiles the local stack starts with, so that
"where is my order 1234" gets a real status and a VIP customer is greeted by name."""

from __future__ import annotations

from typing import Any

import boto3

from socialcare.dialogue.orders import Order
from socialcare.dialogue.profiles import VIP, CustomerProfile
from socialcare.store.dynamodb_customers import profile_item
from socialcare_local.cfn_template import Template

SAMPLE_ORDERS = (
    Order("1234", "shipped", "DHL", "2025-06-12", "telegram:4242"),
    Order("5678", "delivered", "UPS", "2025-05-30", "telegram:4242"),
    Order("20240917", "processing"),
    Order("8899", "refunded", "DHL"),
    Order("4321", "cancelled"),
    Order("12345", "shipped", "SF Express", "2025-06-10"),
)

# A VIP customer who agreed that the brand keeps their name (Telegram chat 4242).
SAMPLE_CUSTOMERS = (
    CustomerProfile(
        "telegram:4242",
        display_name="Ada Lovelace",
        language="en",
        tier=VIP,
        tags=("loyalty-gold",),
        consent=True,
        orders=("1234", "5678"),
    ),
)


def seed(template: Template, session: boto3.session.Session) -> None:
    dynamodb = session.client("dynamodb")
    orders = template.physical["OrdersTable"]["Ref"]
    for order in SAMPLE_ORDERS:
        dynamodb.put_item(TableName=orders, Item=_order_item(order))
    customers = template.physical["CustomersTable"]["Ref"]
    for profile in SAMPLE_CUSTOMERS:
        dynamodb.put_item(TableName=customers, Item=profile_item(profile, 1))


def _order_item(order: Order) -> dict[str, Any]:
    return {
        "pk": {"S": order.number},
        "status": {"S": order.status},
        "carrier": {"S": order.carrier},
        "eta": {"S": order.eta},
        "customer_id": {"S": order.customer_id},
    }
