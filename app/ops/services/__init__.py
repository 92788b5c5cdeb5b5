"""Operations services: health and backups."""
