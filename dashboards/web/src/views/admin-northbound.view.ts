/**
 * Northbound pull tokens (#/admin/northbound, admins; docs/northbound.md): how an operations
 * platform pulls the feed, the tokens (what each may read by compound name, who made it and
 * when, last use, active or revoked) with a revoke button, and a form for a new one whose
 * secret is shown once.
 */
import type { CreatedTokenAnswer, NewTokenBody, TokensAnswer, TokenView } from '../../../../src/contracts/northbound.ts';
import { h, fill } from '../dom.ts';
import { stamp, t } from '../i18n.ts';
import { api } from '../api.client.ts';
import { errorText } from '../error-text.ts';
import { dataTable, refocusRow } from '../data-table.ts';
import { confirmedStep } from '../confirm-dialog.ts';
import { focusHeading, section } from '../form-kit.ts';
import { copyButton, secretValue, showOnce } from '../once-panel.ts';
import { loadPlaces, nameList, type Places } from '../admin-places.ts';
import { loadPeople } from '../people.ts';
import { tokenForm } from '../northbound-token-form.ts';
import type { AppContext, View } from '../app.types.ts';

const TOKENS = '/api/admin/northbound/tokens';

/** The pull URL and header, each with a copy button. */
function howSection(): HTMLElement {
  const url = `${location.origin}/api/northbound/v1/feed`;
  const header = 'Authorization: Bearer …';
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  return section(t('nb.howTitle'), 'nb-how',
    h('dl', { class: 'nb-how' },
      h('dt', {}, t('nb.howUrl')), h('dd', {}, h('code', { 'data-testid': 'nb-url' }, url), ' ', copyButton(url, t('nb.howUrl'), status, 'nb-url-copy')),
      h('dt', {}, t('nb.howHeader')), h('dd', {}, h('code', {}, header)),
    ),
    h('p', { class: 'hint' }, t('nb.howHint')),
    status,
  );
}

export function adminNorthboundView(root: HTMLElement, app: AppContext): View {
  let alive = true;
  let tokens: TokenView[] = [];
  let places: Places | undefined;
  const people = loadPeople(app.me, () => alive && render());
  const onceHost = h('div');
  const formHost = h('div');
  const tableHost = h('div', { 'data-testid': 'nb-tokens' }, h('p', { class: 'muted' }, t('adm.loading')));
  const newButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'nb-new', onclick: () => openForm() }, t('nb.new'));
  fill(root,
    h('div', { class: 'view-head' }, h('h1', {}, t('nb.title')), newButton),
    h('p', { class: 'muted' }, t('nb.intro')),
    onceHost,
    formHost,
    tableHost,
    howSection(),
  );

  const closeForm = () => (fill(formHost), newButton.focus());
  function openForm(): void {
    if (!places) return;
    fill(onceHost);
    fill(formHost, tokenForm({ places, cancel: closeForm, save: create }));
    focusHeading(formHost.firstElementChild as HTMLElement);
  }

  async function create(body: NewTokenBody): Promise<void> {
    const { token, secret } = await api<CreatedTokenAnswer>('POST', TOKENS, body);
    fill(formHost);
    app.report(t('nb.created', { name: token.name }));
    showOnce(onceHost, t('nb.secretTitle', { name: token.name }), (status) => [
      h('p', {}, t('nb.secretHint')),
      h('p', { class: 'secret-line' }, `${t('nb.secret')}: `, secretValue(secret, t('nb.secret'), status, 'once-secret')),
    ], 'nb-secret-panel');
    await reload();
  }

  const rowOf = (token: TokenView) => `[data-token-id="${CSS.escape(token.id)}"]`;
  const revoke = (token: TokenView, button: HTMLButtonElement) =>
    confirmedStep(button, t('nb.confirmRevoke', { name: token.name }), t('nb.revoke'), async () => {
      await api('DELETE', `${TOKENS}/${encodeURIComponent(token.id)}`);
      app.report(t('nb.revokedDone', { name: token.name }));
      await reload();
      refocusRow(tableHost, rowOf(token));
    }, (error) => app.report(errorText(error)));

  const scopeText = (token: TokenView, p: Places) => (token.scope === 'all' ? t('nb.scopeAll') : nameList(token.scope.map(p.compoundName)));
  const state = (token: TokenView) =>
    token.revokedAt === null
      ? h('span', { class: 'badge ok', 'data-testid': 'nb-state' }, t('nb.active'))
      : h('span', { class: 'badge off', 'data-testid': 'nb-state' }, t('nb.revoked', { at: stamp(token.revokedAt) }));
  const actions = (token: TokenView) => {
    if (token.revokedAt !== null) return '';
    const button: HTMLButtonElement = h('button', { type: 'button', 'data-testid': 'nb-revoke', 'aria-label': t('nb.revokeLabel', { name: token.name }), onclick: () => void revoke(token, button) }, t('nb.revoke'));
    return button;
  };

  function render(): void {
    if (!places) return;
    const p = places;
    // Active ones first, then newest first.
    const shown = [...tokens].sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null) || b.createdAt - a.createdAt);
    fill(tableHost, dataTable({
      caption: t('nb.caption'),
      columns: [t('nb.col.name'), t('nb.col.scope'), t('nb.col.created'), t('nb.col.lastUsed'), t('nb.col.state'), t('adm.actions')],
      empty: t('nb.none'),
      testid: 'nb-table',
      rowHeader: true,
      rows: shown.map((token) => ({
        attrs: { 'data-token-id': token.id, 'data-revoked': String(token.revokedAt !== null) },
        cells: [
          token.name,
          h('span', { 'data-testid': 'nb-scope-text' }, scopeText(token, p)),
          t('nb.createdBy', { who: people.name(token.createdBy), at: stamp(token.createdAt) }),
          token.lastUsedAt === null ? t('nb.neverUsed') : stamp(token.lastUsedAt),
          state(token),
          actions(token),
        ],
      })),
    }));
  }

  // Compound names once per page; the tokens again after each change.
  const names = loadPlaces();
  async function reload(): Promise<void> {
    try {
      [tokens, places] = await Promise.all([api<TokensAnswer>('GET', TOKENS).then((a) => a.tokens), names]);
      if (alive) render();
    } catch (error) {
      if (alive) fill(tableHost, h('p', { class: 'notice', role: 'alert', 'data-testid': 'nb-error' }, errorText(error)));
    }
  }
  void reload();
  return { dispose: () => void (alive = false) };
}
