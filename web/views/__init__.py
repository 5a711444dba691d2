"""Every server-rendered page, one module per page family; data comes from selectors."""
