/** Which building a notice page is for: `/notice/{compound}/{building}`, or `?notice={compound}/{building}` (any path). */
export interface NoticeTarget {
  compound: string;
  building: string;
}

export function noticeTarget(pathname: string, search: string): NoticeTarget | undefined {
  const fromPath = /^\/notice\/([^/]+)\/([^/]+)\/?$/.exec(pathname);
  const fromQuery = new URLSearchParams(search).get('notice')?.split('/');
  const parts = fromPath ? [fromPath[1]!, fromPath[2]!] : fromQuery?.length === 2 ? fromQuery : undefined;
  if (!parts) return undefined;
  try {
    const [compound, building] = parts.map((p) => (fromPath ? decodeURIComponent(p) : p));
    return compound && building ? { compound, building } : undefined;
  } catch {
    return undefined; // a malformed %-escape
  }
}
