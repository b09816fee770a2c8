/** For tests that prove an answer holds nothing personal: every key and every primitive value anywhere in a JSON value, with where it is. */
export function walk(value: unknown, at: string, out: Array<{ at: string; text: string }>): void {
  if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${at}[${i}]`, out));
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      out.push({ at: `${at} (key)`, text: key });
      walk(v, `${at}.${key}`, out);
    }
    return;
  }
  out.push({ at, text: String(value) });
}
