"""The visitors' wing: leases and photos, what the home, clip and frame reads show,
public media, and visitors' reports about a shown photo."""
