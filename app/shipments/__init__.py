"""Shipments and the cold chain: orders, picking, dispatch, logger data, receipt."""
