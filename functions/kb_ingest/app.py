"""S3 uploads under documents/ in the knowledge bucket: ingest each file, publish a new version."""

from socialcare.handlers import kb_ingest_handler

handler = kb_ingest_handler()
