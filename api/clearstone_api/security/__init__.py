"""Who is calling: principals and (issue 4) tokens, scopes, keys and rate limits."""
