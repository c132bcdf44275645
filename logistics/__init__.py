"""HopeNow Logistics: the domain and the composition root (``logistics.app``)."""
