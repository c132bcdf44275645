"""The read side of stock, cut like the services: catalogue, ledger, lists (alerts and
exports), counts and kits. Nothing is re-exported here; import the module you read from."""
