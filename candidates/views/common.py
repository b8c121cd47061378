"""What the pages of candidates share."""

PAGE_SIZE = 50
