"""What people read, and the versioned button-data codec. No `telegram` import here."""
