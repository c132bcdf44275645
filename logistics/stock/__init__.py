"""Stock: items, locations, lots, the movement ledger, balances, stocktakes and outreach kits."""
