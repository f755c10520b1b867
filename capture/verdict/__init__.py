"""Pure: what a captured page is (the content, or an error, challenge, login or limit page)."""
