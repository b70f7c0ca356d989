/** A timestamp as the APIs show it: ISO 8601 in UTC, or null. */
export const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);
