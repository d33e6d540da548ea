"""Contract suite for SalesMan CRM REST API v2 servers (mockcrm or a real instance); see contract/README.md."""
