// Removed once the first test lands.
