"""Service evaluation: monthly figures per community from the records, a street's ranking."""
