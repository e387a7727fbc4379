"""The local stack: template.yaml's resources on a moto server, its HTTP routes on a local
gateway, an SQS poller standing in for Lambda's event source mapping, and a platform sandbox.
No Docker, no cloud account."""
