/**
 * A compound's devices (#/admin/devices/:compound; a manager for their compounds, an admin for
 * any): the table (retired ones too) with search and a type filter; add, edit, retire, new
 * secret (credentials shown once); bulk import from CSV; the compound's contacts.
 */
import type { AdminDevice, CompoundView, CreatedDevicesAnswer, DevicePatch, DevicesAnswer, NewDeviceBody } from '../../../../src/contracts/admin.ts';
import { DEVICE_TYPES } from '../../../../src/contracts/device-types.ts';
import { h, fill } from '../dom.ts';
import { day, duration, t, tOf } from '../i18n.ts';
import { api } from '../api.client.ts';
import { errorText } from '../error-text.ts';
import { dataTable, refocusRow } from '../data-table.ts';
import { confirmedStep } from '../confirm-dialog.ts';
import { field, focusHeading, select } from '../form-kit.ts';
import { loadPlaces, type Places } from '../admin-places.ts';
import { deviceLabel } from '../device-format.ts';
import { deviceForm } from '../device-form.ts';
import { showDeviceSecrets } from '../device-secrets.ts';
import { importSection } from '../device-import.ts';
import { contactsSection } from '../contacts-form.ts';
import type { AppContext, View } from '../app.types.ts';

const devicePath = (d: AdminDevice) => `/api/admin/devices/${[d.compound, d.type, d.id].map(encodeURIComponent).join('/')}`;
const label = (d: AdminDevice) => deviceLabel(d.type, d.id, d);

export function adminDevicesView(root: HTMLElement, compoundId: string | undefined, app: AppContext): View {
  let alive = true;
  fill(root, h('p', { class: 'muted' }, t('adm.loading')));
  loadPlaces().then(
    (places) => alive && start(places),
    (error) => alive && fill(root, h('p', { class: 'notice', role: 'alert', 'data-testid': 'devices-error' }, errorText(error))),
  );

  function start(places: Places): void {
    const compound = compoundId ? places.compound(compoundId) : undefined;
    if (!compound) {
      // Without one named: the user's first compound (as their home), else the first by name.
      const mine = Array.isArray(app.me.compounds) ? app.me.compounds.find((c) => places.compound(c)) : undefined;
      const first = mine ?? places.compoundChoices()[0]?.[0];
      if (first && !compoundId) return location.replace(`#/admin/devices/${encodeURIComponent(first)}`);
      return fill(root, h('p', { class: 'notice', 'data-testid': 'no-access' }, first ? t('err.NOT_FOUND') : t('devs.noCompounds')));
    }
    page(places, compound);
  }

  function page(places: Places, initial: CompoundView): void {
    let compound = initial;
    let devices: AdminDevice[] = [];
    const picker = select(places.compoundChoices(), compound.id, { 'data-testid': 'devices-compound' });
    picker.addEventListener('change', () => (location.hash = `#/admin/devices/${encodeURIComponent(picker.value)}`));
    const search = h('input', { type: 'search', autocomplete: 'off', 'data-testid': 'devices-search', oninput: () => renderTable() });
    const typeFilter = select([['', t('devs.allTypes')], ...DEVICE_TYPES.map((ty): [string, string] => [ty, tOf('type', ty)])], '', { 'data-testid': 'devices-type-filter' });
    typeFilter.addEventListener('change', () => renderTable());
    const count = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite', 'data-testid': 'devices-count' });
    const addButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'device-add', onclick: () => openForm() }, t('devs.add'));
    const onceHost = h('div');
    const formHost = h('div');
    const tableHost = h('div', {}, h('p', { class: 'muted' }, t('adm.loading')));
    const contactsHost = h('div');
    const showContacts = () => fill(contactsHost, contactsSection(compound, (next) => ((compound = next), showContacts()), app.report));
    showContacts();
    fill(root,
      h('div', { class: 'view-head' }, h('h1', {}, t('devs.title')), field(t('devs.compound'), picker),
        // An admin adds compounds (and their buildings and zones) on the places page.
        app.me.role === 'admin' ? h('a', { href: '#/admin/places', 'data-testid': 'devices-places-link' }, t('nav.places')) : null),
      onceHost,
      formHost,
      h('section', { class: 'panel', 'aria-label': t('devs.caption', { compound: compound.name }) },
        h('div', { class: 'toolbar' }, field(t('devs.search'), search), field(t('devs.typeFilter'), typeFilter), addButton),
        count,
        tableHost,
      ),
      importSection(compound.id, (answer) => {
        app.report(t('imp.done', { n: answer.devices.length }));
        showDeviceSecrets(onceHost, answer);
        void reload();
      }),
      contactsHost,
    );

    const closeForm = () => (fill(formHost), addButton.focus());
    const openForm = (device?: AdminDevice) => {
      fill(onceHost);
      fill(formHost, deviceForm({
        compound,
        device,
        cancel: closeForm,
        save: async (body) => {
          if (device) {
            const { device: saved } = await api<{ device: AdminDevice }>('PATCH', devicePath(device), body as DevicePatch);
            app.report(t('devs.updated', { what: label(saved) }));
            fill(formHost);
            await reload();
            return refocusRow(tableHost, rowOf(device), ['device-edit']);
          } else {
            const answer = await api<CreatedDevicesAnswer>('POST', `/api/admin/compounds/${encodeURIComponent(compound.id)}/devices`, body as NewDeviceBody);
            fill(formHost);
            app.report(t('devs.added', { what: answer.devices.map((c) => label(c.device)).join(', ') }));
            showDeviceSecrets(onceHost, answer);
          }
          await reload();
        },
      }));
      focusHeading(formHost.firstElementChild as HTMLElement);
    };

    const rowOf = (d: AdminDevice) => `[data-device-key="${CSS.escape(d.key)}"]`;
    const step = (d: AdminDevice, button: HTMLButtonElement, question: string, confirmLabel: string, work: () => Promise<void>) =>
      confirmedStep(button, question, confirmLabel, async () => {
        await work();
        await reload();
        refocusRow(tableHost, rowOf(d), [button.dataset.testid ?? '']);
      }, (error) => app.report(errorText(error)));
    const retire = (d: AdminDevice, button: HTMLButtonElement) =>
      step(d, button, t('devs.confirmRetire', { what: label(d) }), t('devs.retire'), async () => {
        await api('POST', `${devicePath(d)}/retire`);
        app.report(t('devs.retiredDone', { what: label(d) }));
      });
    const rotate = (d: AdminDevice, button: HTMLButtonElement) =>
      step(d, button, t('devs.confirmRotate', { what: label(d) }), t('devs.rotate'), async () => {
        const answer = await api<CreatedDevicesAnswer>('POST', `${devicePath(d)}/rotate-secret`);
        fill(formHost);
        app.report(t('devs.rotated', { what: label(d) }));
        showDeviceSecrets(onceHost, answer);
      });

    const actions = (d: AdminDevice) => {
      if (d.retiredAt) return '';
      const named = (text: string) => `${text}: ${label(d)}`;
      const rotateButton: HTMLButtonElement = h('button', { type: 'button', 'data-testid': 'device-rotate', 'aria-label': named(t('devs.rotate')), onclick: () => void rotate(d, rotateButton) }, t('devs.rotate'));
      const retireButton: HTMLButtonElement = h('button', { type: 'button', 'data-testid': 'device-retire', 'aria-label': named(t('devs.retire')), onclick: () => void retire(d, retireButton) }, t('devs.retire'));
      return h('div', { class: 'row' },
        h('button', { type: 'button', 'data-testid': 'device-edit', 'aria-label': named(t('adm.edit')), onclick: () => openForm(d) }, t('adm.edit')),
        rotateButton,
        retireButton,
      );
    };

    const place = (names: Record<string, string> | undefined, tag: string | undefined) => (tag ? (names?.[tag] ?? tag) : '—');
    function renderTable(): void {
      const q = search.value.trim().toLowerCase();
      const shown = devices
        .filter((d) => !typeFilter.value || d.type === typeFilter.value)
        .filter((d) => !q || d.id.toLowerCase().includes(q) || (d.name ?? '').toLowerCase().includes(q))
        .sort((a, b) => Number(Boolean(a.retiredAt)) - Number(Boolean(b.retiredAt)) || a.type.localeCompare(b.type) || label(a).localeCompare(label(b), undefined, { numeric: true }));
      count.textContent = t('adm.shown', { n: shown.length, total: devices.length });
      fill(tableHost, dataTable({
        caption: t('devs.caption', { compound: compound.name }),
        columns: [t('devs.name'), t('devs.id'), t('devs.type'), t('devs.building'), t('devs.zone'), t('devs.interval'), t('devs.state'), t('adm.actions')],
        empty: devices.length ? t('devs.noMatch') : t('devs.none'),
        testid: 'devices-table',
        rowHeader: true,
        rows: shown.map((d) => ({
          attrs: { 'data-device-key': d.key, 'data-retired': String(Boolean(d.retiredAt)), class: d.retiredAt ? 'retired' : undefined },
          cells: [
            d.name ?? d.id,
            h('code', {}, d.id),
            tOf('type', d.type),
            place(compound.buildings, d.building),
            place(compound.zones, d.zone),
            duration(d.reportIntervalSec * 1000),
            d.retiredAt ? h('span', { class: 'badge off' }, t('devs.retired', { date: day(d.retiredAt) })) : h('span', { class: 'badge ok' }, t('devs.active')),
            actions(d),
          ],
        })),
      }));
    }

    async function reload(): Promise<void> {
      try {
        devices = (await api<DevicesAnswer>('GET', `/api/admin/compounds/${encodeURIComponent(compound.id)}/devices`)).devices;
        if (alive) renderTable();
      } catch (error) {
        if (alive) fill(tableHost, h('p', { class: 'notice', role: 'alert', 'data-testid': 'devices-error' }, errorText(error)));
      }
    }
    void reload();
  }

  return { dispose: () => void (alive = false) };
}
