"""Which article of the shipped help centre answers each Bitext intent: a reply to a message of
that intent should draw on it (the same id in English and Chinese)."""

from __future__ import annotations

SHIPPED_ARTICLE = {
    "cancel_order": "cancel-order",
    "check_cancellation_fee": "cancellation-fee",
    "change_order": "change-order",
    "change_shipping_address": "change-shipping-address",
    "complaint": "complaint",
    "contact_customer_service": "contact-customer-service",
    "contact_human_agent": "contact-human-agent",
    "create_account": "create-account",
    "delete_account": "delete-account",
    "delivery_options": "delivery-options",
    "delivery_period": "delivery-time",
    "edit_account": "edit-account",
    "get_refund": "get-refund",
    "check_invoice": "invoice",
    "get_invoice": "invoice",
    "newsletter_subscription": "newsletter",
    "payment_issue": "payment-issue",
    "check_payment_methods": "payment-methods",
    "place_order": "place-order",
    "recover_password": "recover-password",
    "check_refund_policy": "refund-policy",
    "registration_problems": "registration-problems",
    "review": "review-feedback",
    "set_up_shipping_address": "set-up-shipping-address",
    "switch_account": "switch-account",
    "track_order": "track-order",
    "track_refund": "track-refund",
}
