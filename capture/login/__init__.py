"""`capture login`: session files made by a site config's login or by a person at a browser."""
