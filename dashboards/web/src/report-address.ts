/** Which residents' report page this is: the form `/report-form/{compound}/{building}`, or the receipt `/report/{id}?t={token}`. */
export type ReportTarget = { page: 'form'; compound: string; building: string } | { page: 'receipt'; id: string; token: string };

export function reportTarget(pathname: string, search: string): ReportTarget | undefined {
  try {
    const form = /^\/report-form\/([^/]+)\/([^/]+)\/?$/.exec(pathname);
    if (form) {
      const [compound, building] = [decodeURIComponent(form[1]!), decodeURIComponent(form[2]!)];
      return compound && building ? { page: 'form', compound, building } : undefined;
    }
    const receipt = /^\/report\/([^/]+)\/?$/.exec(pathname);
    const token = new URLSearchParams(search).get('t');
    if (receipt && token) return { page: 'receipt', id: decodeURIComponent(receipt[1]!), token };
  } catch {
    // a malformed %-escape
  }
  return undefined;
}
