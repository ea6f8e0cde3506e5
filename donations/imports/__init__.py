"""Gift import: columns, rows and the import-export resource for gifts from other systems."""
