"""SQS FIFO consumer: answers each customer message and sends the reply on its channel."""

from socialcare.handlers import worker_handler

handler = worker_handler()
