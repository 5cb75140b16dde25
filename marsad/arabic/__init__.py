"""Arabic text functions shared by every stage: hygiene, normalization, tokenization, stemming."""
